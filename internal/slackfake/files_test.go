package slackfake

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

const policyJSON = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`

func TestFileShareInfoAndDownload(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	c := startClient(t, srv)
	fileID := srv.AddFile(File{Name: "policy.json", User: "U1", Content: []byte(policyJSON)})

	d, err := srv.FileShare(ctx, "C1", "U1", "<@U0FAKEBOT1> check this", []string{fileID}, MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Envelopes) != 2 {
		t.Fatalf("envelopes = %v", d.Envelopes)
	}
	mention := c.next(t).Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.AppMentionEvent)
	if len(mention.Files) != 1 || mention.Files[0].ID != fileID {
		t.Errorf("app_mention files = %+v", mention.Files)
	}
	msg := c.next(t).Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.MessageEvent)
	if msg.SubType != "file_share" || len(msg.Message.Files) != 1 || msg.Message.Files[0].Name != "policy.json" {
		t.Errorf("message event = %+v, files %+v", msg, msg.Message.Files)
	}

	api := newAPI(srv)
	f, _, _, err := api.GetFileInfoContext(ctx, fileID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "policy.json" || f.Filetype != "json" || f.Mimetype != "application/json" || f.Size != len(policyJSON) ||
		!strings.HasPrefix(f.URLPrivateDownload, srv.URL()+"/files-pri/") || len(f.Channels) != 1 {
		t.Errorf("files.info = %+v", f)
	}
	var buf bytes.Buffer
	if err := api.GetFileContext(ctx, f.URLPrivateDownload, &buf); err != nil {
		t.Fatal(err)
	}
	if buf.String() != policyJSON {
		t.Errorf("downloaded %q", buf.String())
	}
	buf.Reset()
	if err := api.GetFileContext(ctx, f.URLPrivate, &buf); err != nil || buf.String() != policyJSON {
		t.Errorf("url_private download = %q, %v", buf.String(), err)
	}
	if n := srv.Calls("files.download"); n != 2 {
		t.Errorf("downloads = %d, want 2", n)
	}
}

func TestFileDownloadWithoutAccess(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	api := newAPI(srv)
	visible := srv.AddFile(File{Name: "policy.json", User: "U1", Content: []byte(policyJSON)})
	hidden := srv.AddFile(File{Name: "secret.json", User: "U1", Content: []byte(policyJSON), Hidden: true})

	if _, _, _, err := api.GetFileInfoContext(ctx, hidden, 0, 0); slackErr(err) != "file_not_found" {
		t.Errorf("files.info of a hidden file = %v, want file_not_found", err)
	}
	hiddenURL := srv.URL() + "/files-pri/T0FAKE0001-" + hidden + "/download/secret.json"
	var buf bytes.Buffer
	err := api.GetFileContext(ctx, hiddenURL, &buf)
	if err == nil || !strings.Contains(err.Error(), "sign-in") {
		t.Errorf("download of a hidden file = %v, want the sign-in redirect error", err)
	}

	// Without a token: 302 to the sign-in page with redir = the file path.
	f, _, _, err := api.GetFileInfoContext(ctx, visible, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(f.URLPrivateDownload)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(f.URLPrivateDownload)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "/?redir="+url.QueryEscape(u.Path) {
		t.Errorf("got %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = http.Get(f.URLPrivateDownload)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/html") {
		t.Errorf("sign-in page: %d %s", resp.StatusCode, ct)
	}
}

func TestCheckFileInfoStub(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{OmitMessageEvents: true})
	c := startClient(t, srv)
	id := srv.AddFile(File{Name: "policy.json", User: "U1", Content: []byte(policyJSON), CheckFileInfo: true})
	if _, err := srv.Mention(ctx, "C1", "U1", "here", MessageOptions{Files: []string{id}}); err != nil {
		t.Fatal(err)
	}
	m := c.next(t).Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.AppMentionEvent)
	if len(m.Files) != 1 || m.Files[0].URLPrivateDownload != "" || m.Files[0].FileAccess != "check_file_info" {
		t.Errorf("stub = %+v", m.Files)
	}
	f, _, _, err := newAPI(srv).GetFileInfoContext(ctx, id, 0, 0)
	if err != nil || f.URLPrivateDownload == "" {
		t.Errorf("files.info = %+v, %v", f, err)
	}
}

func TestUploadIntoThread(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	api := newAPI(srv)
	_, parent, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("review", false))
	if err != nil {
		t.Fatal(err)
	}
	content := `{"tightened":true}`
	sum, err := api.UploadFileContext(ctx, slack.UploadFileParameters{
		Channel:         "C1",
		ThreadTimestamp: parent,
		Filename:        "tightened.json",
		Title:           "Tightened policy",
		Content:         content,
		FileSize:        len(content),
		InitialComment:  "Here is the tightened policy",
	})
	if err != nil {
		t.Fatal(err)
	}
	ups := srv.Uploads()
	if len(ups) != 1 {
		t.Fatalf("uploads = %+v", ups)
	}
	up := ups[0]
	if up.FileID != sum.ID || string(up.Content) != content || up.Channel != "C1" || up.ThreadTS != parent ||
		up.Title != "Tightened policy" || up.InitialComment != "Here is the tightened policy" {
		t.Errorf("upload = %+v", up)
	}
	msgs := srv.Messages("C1")
	share := msgs[len(msgs)-1]
	if share.TS != up.MessageTS || share.ThreadTS != parent || share.Subtype != "file_share" || len(share.Files) != 1 || share.Files[0] != sum.ID {
		t.Errorf("share message = %+v", share)
	}
	var buf bytes.Buffer
	f, _, _, err := api.GetFileInfoContext(ctx, sum.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := api.GetFileContext(ctx, f.URLPrivateDownload, &buf); err != nil || buf.String() != content {
		t.Errorf("download of the upload = %q, %v", buf.String(), err)
	}
}

func TestUploadErrors(t *testing.T) {
	ctx := testContext(t)
	srv := newServer(t, Options{})
	api := newAPI(srv)
	tests := []struct {
		name   string
		params slack.UploadFileParameters
		want   string
	}{
		{"not a member", slack.UploadFileParameters{Channel: "C2", Filename: "a.json", Content: "{}", FileSize: 2}, "not_in_channel"},
		{"unknown channel", slack.UploadFileParameters{Channel: "C404", Filename: "a.json", Content: "{}", FileSize: 2}, "channel_not_found"},
		{"user ID instead of a DM", slack.UploadFileParameters{Channel: "U1", Filename: "a.json", Content: "{}", FileSize: 2}, "invalid_arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := api.UploadFileContext(ctx, tt.params)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
	// Completing a file whose bytes never arrived.
	u, err := api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: "a.json", FileSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}, Channel: "C1"})
	if slackErr(err) != "file_not_found" {
		t.Errorf("complete without bytes = %v, want file_not_found", err)
	}
}
