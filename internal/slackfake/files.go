package slackfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// File is a file a user shares, registered with AddFile.
type File struct {
	ID       string // default: a fresh "F..." ID
	Name     string // e.g. "policy.json"
	Title    string // default: Name
	Filetype string // default: from Name's extension ("json", "yaml", "text", ...)
	Mimetype string // default: from Name's extension
	User     string // the uploader
	Content  []byte
	// CheckFileInfo makes events carry only a stub (file_access
	// "check_file_info", no URLs), as for files shared through Slack
	// Connect; files.info returns the full object.
	CheckFileInfo bool
	// Hidden makes the file invisible to the bot: files.info answers
	// file_not_found and downloads redirect to the sign-in page.
	Hidden bool
}

type file struct {
	File
	created  int64
	channels []string
}

// AddFile registers a file uploaded by a user and returns its ID. Share it
// with FileShare, MessageOptions.Files or a file_input Input.
func (s *Server) AddFile(f File) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addFileLocked(f)
}

func (s *Server) addFileLocked(f File) string {
	if f.ID == "" {
		f.ID = s.newIDLocked("F")
	}
	if f.Title == "" {
		f.Title = f.Name
	}
	ft, mt := fileTypes(f.Name)
	if f.Filetype == "" {
		f.Filetype = ft
	}
	if f.Mimetype == "" {
		f.Mimetype = mt
	}
	f.Content = slices.Clone(f.Content)
	s.files[f.ID] = &file{File: f, created: tsSeconds(s.nextTSLocked())}
	s.notifyLocked()
	return f.ID
}

// fileTypes guesses Slack's filetype and mimetype from a file name.
func fileTypes(name string) (filetype, mimetype string) {
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		return "json", "application/json"
	case ".yaml", ".yml":
		return "yaml", "text/plain"
	case ".txt":
		return "text", "text/plain"
	case ".tf", ".hcl":
		return "text", "text/plain"
	case ".md":
		return "markdown", "text/plain"
	case ".csv":
		return "csv", "text/csv"
	case ".png":
		return "png", "image/png"
	case ".pdf":
		return "pdf", "application/pdf"
	}
	return "binary", "application/octet-stream"
}

var prettyTypes = map[string]string{
	"json": "JSON", "yaml": "YAML", "text": "Plain Text", "markdown": "Markdown (raw)",
	"csv": "CSV", "png": "PNG", "pdf": "PDF", "binary": "Binary",
}

func (s *Server) fileURLLocked(f *file, download bool) string {
	u := s.hs.URL + "/files-pri/" + s.opts.TeamID + "-" + f.ID + "/"
	if download {
		u += "download/"
	}
	return u + url.PathEscape(f.Name)
}

// fileObjectLocked renders a file as files.info returns it.
func (s *Server) fileObjectLocked(f *file) map[string]any {
	var chans, ims []string
	public := false
	for _, id := range f.channels {
		if ch, ok := s.channels[id]; ok && ch.im {
			ims = append(ims, id)
		} else {
			chans = append(chans, id)
			public = true
		}
	}
	pretty := prettyTypes[f.Filetype]
	if pretty == "" {
		pretty = strings.ToUpper(f.Filetype)
	}
	return map[string]any{
		"id":                   f.ID,
		"created":              f.created,
		"timestamp":            f.created,
		"name":                 f.Name,
		"title":                f.Title,
		"mimetype":             f.Mimetype,
		"filetype":             f.Filetype,
		"pretty_type":          pretty,
		"user":                 f.User,
		"user_team":            s.opts.TeamID,
		"editable":             false,
		"size":                 len(f.Content),
		"mode":                 "hosted",
		"is_external":          false,
		"external_type":        "",
		"is_public":            public,
		"public_url_shared":    false,
		"display_as_bot":       false,
		"username":             "",
		"url_private":          s.fileURLLocked(f, false),
		"url_private_download": s.fileURLLocked(f, true),
		"permalink":            fmt.Sprintf("https://%s.slack.com/files/%s/%s/%s", s.opts.TeamDomain, f.User, f.ID, url.PathEscape(f.Name)),
		"permalink_public":     fmt.Sprintf("https://slack-files.com/%s-%s-%08x", s.opts.TeamID, f.ID, len(f.Name)),
		"channels":             nonNil(chans),
		"groups":               []string{},
		"ims":                  nonNil(ims),
		"comments_count":       0,
		"has_rich_preview":     false,
		"file_access":          "visible",
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// fileEventObjectLocked renders a file as events carry it: a stub for
// CheckFileInfo files.
func (s *Server) fileEventObjectLocked(f *file) map[string]any {
	if f.CheckFileInfo {
		return map[string]any{
			"id":          f.ID,
			"mode":        "file_access",
			"file_access": "check_file_info",
			"created":     f.created,
			"timestamp":   f.created,
			"user":        f.User,
		}
	}
	return s.fileObjectLocked(f)
}

func (s *Server) filesInfo(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[r.params.Get("file")]
	if !ok || f.Hidden {
		return nil, errCode("file_not_found")
	}
	return map[string]any{
		"file":              s.fileObjectLocked(f),
		"comments":          []any{},
		"response_metadata": map[string]any{"next_cursor": ""},
	}, nil
}

// serveFile serves url_private and url_private_download. Without the bot
// token, or for a file the bot cannot see, it redirects to the sign-in page
// with redir set to the file path, as files.slack.com does.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	if e := s.takeFault("files.download"); e != nil {
		writeError(w, e)
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/files-pri/")
	key, name, _ := strings.Cut(rest, "/")
	download := false
	if after, ok := strings.CutPrefix(name, "download/"); ok {
		name, download = after, true
	}
	_, fileID, _ := strings.Cut(key, "-")

	token := ""
	if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		token = strings.TrimSpace(h)
	}
	s.mu.Lock()
	f, ok := s.files[fileID]
	var content []byte
	var mimetype string
	if ok {
		content, mimetype = f.Content, f.Mimetype
		ok = !f.Hidden && f.Name == name
	}
	s.mu.Unlock()
	if !ok || token != s.opts.BotToken {
		http.Redirect(w, r, "/?redir="+url.QueryEscape(r.URL.Path), http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", mimetype)
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	if download {
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	w.Write(content)
}

// serveSignIn is the workspace sign-in page that unauthorized file requests
// land on.
func (s *Server) serveSignIn(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, "<!DOCTYPE html><html><head><title>Sign in | Slack</title></head>"+
		"<body><h1>Sign in to "+s.opts.TeamName+"</h1></body></html>")
}

type pendingUpload struct {
	fileID   string
	uploadID string
	filename string
	length   int
	content  []byte
	received bool
}

func (s *Server) filesGetUploadURLExternal(r *apiRequest) (map[string]any, *apiError) {
	name := r.params.Get("filename")
	length, err := strconv.Atoi(r.params.Get("length"))
	if name == "" || err != nil || length <= 0 {
		return nil, errCode("invalid_arguments")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := &pendingUpload{fileID: s.newIDLocked("F"), filename: name, length: length}
	s.seq++
	u.uploadID = base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s:%d:%s", s.opts.TeamID, s.seq, u.fileID)))
	s.uploads[u.uploadID] = u
	return map[string]any{"upload_url": s.hs.URL + "/upload/v1/" + u.uploadID, "file_id": u.fileID}, nil
}

// serveUpload receives the bytes of an external upload, raw or as the
// "file" part of a multipart form.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	if e := s.takeFault("files.upload_url"); e != nil {
		writeError(w, e)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/upload/v1/")
	s.mu.Lock()
	_, ok := s.uploads[id]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "upload not found", http.StatusNotFound)
		return
	}
	content, err := readUploadBody(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	u, ok := s.uploads[id]
	if ok {
		u.content, u.received = content, true
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "upload not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "OK - %d", len(content))
}

func readUploadBody(r *http.Request) ([]byte, error) {
	const limit = 64 << 20
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return io.ReadAll(io.LimitReader(r.Body, limit))
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, fmt.Errorf("read multipart upload: %w", err)
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, fmt.Errorf("multipart upload has no file part")
		}
		if err != nil {
			return nil, fmt.Errorf("read multipart upload: %w", err)
		}
		if part.FormName() == "file" || part.FileName() != "" {
			return io.ReadAll(io.LimitReader(part, limit))
		}
	}
}

func (s *Server) filesCompleteUploadExternal(r *apiRequest) (map[string]any, *apiError) {
	var summaries []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(r.params.Get("files")), &summaries); err != nil || len(summaries) == 0 {
		return nil, errCode("invalid_arguments")
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	var ch *channel
	target := r.params.Get("channel_id")
	if target == "" {
		target, _, _ = strings.Cut(r.params.Get("channels"), ",")
	}
	if target != "" {
		// Unlike chat.postMessage, only conversation IDs are accepted (Slack
		// wants 8 or more characters after the letter; the fake takes any).
		if !conversationIDRE.MatchString(target) {
			return nil, &apiError{code: "invalid_arguments", problems: []string{
				"input must match regex pattern: ^[CGDZ][A-Z0-9]{8,}$ [json-pointer:/channel_id]",
			}}
		}
		var ok bool
		if ch, ok = s.channels[target]; !ok {
			return nil, errCode("channel_not_found")
		}
		if !ch.im && !ch.member {
			return nil, errCode("not_in_channel")
		}
	} else if r.params.Get("thread_ts") != "" {
		return nil, errCode("invalid_arguments")
	}
	comment := r.params.Get("initial_comment")
	if runeLen(comment) > maxMessageText {
		return nil, errCode("msg_too_long")
	}
	var blocks json.RawMessage
	if raw := r.params.Get("blocks"); raw != "" {
		var e *apiError
		if blocks, e = s.checkBlocksLocked([]byte(raw), surfaceMessage); e != nil {
			return nil, e
		}
	}
	pending := make([]*pendingUpload, len(summaries))
	for i, sum := range summaries {
		for _, u := range s.uploads {
			if u.fileID == sum.ID && u.received {
				pending[i] = u
			}
		}
		if pending[i] == nil {
			return nil, errCode("file_not_found")
		}
	}

	var ids []string
	for i, u := range pending {
		s.addFileLocked(File{ID: u.fileID, Name: u.filename, Title: summaries[i].Title, User: s.opts.BotUserID, Content: u.content})
		delete(s.uploads, u.uploadID)
		ids = append(ids, u.fileID)
	}
	var m *Message
	if ch != nil {
		m = &Message{
			Channel:  ch.id,
			TS:       s.nextTSLocked(),
			ThreadTS: threadRoot(ch, r.params.Get("thread_ts")),
			User:     s.opts.BotUserID,
			BotID:    s.opts.BotID,
			Subtype:  "file_share",
			Text:     comment,
			Blocks:   blocks,
			Files:    ids,
		}
		for _, id := range ids {
			s.files[id].channels = append(s.files[id].channels, ch.id)
		}
		s.postLocked(ch, m)
	}
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		f := s.files[id]
		up := Upload{FileID: id, Filename: f.Name, Title: f.Title, Content: slices.Clone(f.Content), InitialComment: comment}
		if m != nil {
			up.Channel, up.ThreadTS, up.MessageTS = ch.id, m.ThreadTS, m.TS
		}
		s.completed = append(s.completed, up)
		out = append(out, s.fileObjectLocked(f))
	}
	s.notifyLocked()
	return map[string]any{"files": out}, nil
}

var conversationIDRE = regexp.MustCompile(`^[CGDZ][A-Z0-9]+$`)

func base64URL(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func unbase64URL(s string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return string(b), err == nil
}
