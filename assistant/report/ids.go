package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Renumber makes the finding ids of a report unique within it: the
// engine numbers the findings of each document from 1, so a template's
// documents repeat "wildcard-resource-1". Ids keep their prefix and are
// numbered in the order of Findings; the documents' copies follow.
func (r *Report) Renumber() {
	if !r.numbered() {
		r.renumber()
	}
}

// renumber is Renumber, whatever the ids.
func (r *Report) renumber() {
	type key struct{ principal, doc, id string }
	renamed := make(map[key]string, len(r.Findings))
	seq := map[string]int{}
	next := func(old string) string {
		prefix := idPrefix(old)
		seq[prefix]++
		return fmt.Sprintf("%s-%d", prefix, seq[prefix])
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		id := next(f.ID)
		renamed[key{f.Principal, f.Document, f.ID}] = id
		f.ID = id
	}
	for i := range r.Principals {
		for j := range r.Principals[i].Findings {
			f := &r.Principals[i].Findings[j]
			if id, ok := renamed[key{f.Principal, f.Document, f.ID}]; ok {
				f.ID = id
			}
		}
	}
	for i := range r.Documents {
		d := &r.Documents[i]
		for j := range d.Findings {
			f := &d.Findings[j]
			if id, ok := renamed[key{"", d.Name, f.ID}]; ok {
				f.ID = id
			} else if id, ok := renamed[key{"", f.Document, f.ID}]; ok {
				f.ID = id
			} else {
				// A document judged through its principals: its own
				// findings are information, numbered after the rest.
				f.ID = next(f.ID)
			}
		}
	}
}

// numbered reports a report whose ids Renumber would leave as they are,
// as those of one policy's review are: no principals, the findings
// numbered in order, and the document's findings their copies in the
// same order.
func (r *Report) numbered() bool {
	if len(r.Principals) > 0 {
		return false
	}
	type count struct {
		prefix string
		n      int
	}
	var small [16]count
	seen := small[:0]
	for i := range r.Findings {
		id := r.Findings[i].ID
		dash := strings.LastIndexByte(id, '-')
		if dash <= 0 {
			return false
		}
		prefix, k := id[:dash], 0
		for ; k < len(seen) && seen[k].prefix != prefix; k++ {
		}
		if k == len(seen) {
			seen = append(seen, count{prefix, 0})
		}
		seen[k].n++
		if id[dash+1:] != strconv.Itoa(seen[k].n) {
			return false
		}
	}
	for _, d := range r.Documents {
		if len(d.Findings) > len(r.Findings) {
			return false
		}
		for j := range d.Findings {
			f, g := &d.Findings[j], &r.Findings[j]
			if g.Principal != "" || g.ID != f.ID || (g.Document != d.Name && g.Document != f.Document) {
				return false
			}
		}
	}
	return true
}

// idPrefix is an id without its number: "wildcard-resource" for
// "wildcard-resource-3".
func idPrefix(id string) string {
	if i := strings.LastIndexByte(id, '-'); i > 0 {
		if _, err := strconv.Atoi(id[i+1:]); err == nil {
			return id[:i]
		}
	}
	if id == "" {
		return "finding"
	}
	return id
}

// Fingerprints returns, for each finding of the report, a fingerprint
// that stays the same across runs while the finding is the same problem
// in the same place: it hashes the file, the document, the rule (or the
// category), the statement's Sid (or its index when it has none) and the
// finding's rank among those alike. Line numbers, texts and the actions
// listed are left out: they move with edits above the statement and with
// updates of the IAM data.
func (r *Report) Fingerprints() []string {
	out := make([]string, len(r.Findings))
	seen := map[string]int{}
	file := path.Clean(strings.ReplaceAll(r.File, `\`, "/"))
	for i, f := range r.Findings {
		what := f.Rule
		if what == "" {
			what = string(f.Category)
		}
		where := f.Sid
		if where == "" {
			where = "#" + strconv.Itoa(f.Statement)
		}
		// A plain file's document is named after the file: only
		// the part after it tells the documents of a file apart.
		doc := strings.TrimPrefix(f.Document, r.File)
		k := strings.Join([]string{file, doc, what, where}, "\x00")
		if f.Principal != "" {
			k += "\x00" + f.Principal
		}
		seen[k]++
		sum := sha256.Sum256([]byte(k + "\x00" + strconv.Itoa(seen[k])))
		out[i] = hex.EncodeToString(sum[:16])
	}
	return out
}
