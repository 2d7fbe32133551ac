package policy

import (
	"path"
	"strings"
)

// FileKind is what a file's name says about how it is written. The
// reader still decides from the content: a .template may be JSON or
// YAML, a .txt anything.
type FileKind string

const (
	KindJSON      FileKind = "json"
	KindYAML      FileKind = "yaml"
	KindTemplate  FileKind = "cloudformation" // JSON or YAML
	KindTerraform FileKind = "terraform"
	KindText      FileKind = "text" // pasted text: any of the above
)

// fileKinds are the file name extensions policycheck reads, in the order
// they are named to people: the one list for the command line, the Slack
// bot and the reader.
var fileKinds = []struct {
	ext  string
	kind FileKind
}{
	{".json", KindJSON},
	{".yaml", KindYAML},
	{".yml", KindYAML},
	{".template", KindTemplate},
	{".tf", KindTerraform},
	{".hcl", KindTerraform},
	{".txt", KindText},
}

// KindOf tells the kind of a file from its name's extension, in any case;
// ok is false for a file policycheck does not read.
func KindOf(name string) (kind FileKind, ok bool) {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
	for _, k := range fileKinds {
		if k.ext == ext {
			return k.kind, true
		}
	}
	return "", false
}

// Extensions lists the file name extensions policycheck reads, with
// their dot.
func Extensions() []string {
	out := make([]string, len(fileKinds))
	for i, k := range fileKinds {
		out[i] = k.ext
	}
	return out
}

// ExtensionList names the extensions for a sentence: ".json, .yaml, ...
// or .txt" with conj "or", "... and .txt" with "and".
func ExtensionList(conj string) string {
	exts := Extensions()
	return strings.Join(exts[:len(exts)-1], ", ") + " " + conj + " " + exts[len(exts)-1]
}
