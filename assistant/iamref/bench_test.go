package iamref

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"runtime"
	"testing"
)

// BenchmarkLoad parses the embedded data and reports the heap the loaded
// KB holds (heapMB, after a GC).
func BenchmarkLoad(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kb, err := parse(embedded)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kb)
	heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)

	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := parse(embedded); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(heap/(1<<20), "heapMB")
}

var benchPatterns = []string{
	"s3:Get*", "s3:List*", "s3:*", "ec2:Describe*", "*:Describe*", "*:Get*", "*:List*",
	"iam:*", "iam:*Role*", "s3:*Object*", "ec2:Describe?pcs", "lambda:Invoke*",
	"logs:*", "kms:Decrypt*", "dynamodb:*Item", "cloudwatch:Get*", "sts:Assume*",
	"S3:GET*", "EC2:DESCRIBE*", "organizations:*",
}

var benchNames = []string{
	"s3:GetObject", "s3:PutObject", "S3:ListBucket", "ec2:DescribeInstances", "iam:PassRole",
	"kms:Decrypt", "logs:CreateLogStream", "logs:PutLogEvents", "sts:AssumeRole", "lambda:InvokeFunction",
}

// BenchmarkExpand reports the time per pattern: wildcard patterns with an
// empty cache (cold) and a filled one (warm), and plain action names.
func BenchmarkExpand(b *testing.B) {
	kb := Default()
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			kb.expandCache = setCache{}
			for _, p := range benchPatterns {
				kb.Expand(p)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(benchPatterns)), "ns/pattern")
	})
	b.Run("warm", func(b *testing.B) {
		for _, p := range benchPatterns {
			kb.Expand(p)
		}
		b.ReportAllocs()
		for b.Loop() {
			for _, p := range benchPatterns {
				kb.Expand(p)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(benchPatterns)), "ns/pattern")
	})
	b.Run("names", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, p := range benchNames {
				kb.Expand(p)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(benchNames)), "ns/pattern")
	})
	b.Run("parallel-warm", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				kb.Expand(benchPatterns[i%len(benchPatterns)])
				i++
			}
		})
	})
}

func BenchmarkAction(b *testing.B) {
	kb := Default()
	b.ReportAllocs()
	for b.Loop() {
		for _, n := range benchNames {
			kb.Action(n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(benchNames)), "ns/name")
}

func BenchmarkMatchResource(b *testing.B) {
	kb := Default()
	obj := kb.Action("s3:GetObject").Resources[1].Type
	role := kb.Action("iam:PassRole").Resources[0].Type
	cases := []struct {
		p  string
		rt *ResourceType
	}{
		{"arn:aws:s3:::my-bucket/*", obj},
		{"arn:aws:s3:::my-bucket", obj},
		{"arn:aws:iam::123456789012:role/service-role/*", role},
		{"arn:${AWS::Partition}:s3:::${Bucket}/*", obj},
	}
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, c := range cases {
				for _, f := range c.rt.ARNFormats {
					matchARN(c.p, f)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cases)), "ns/match")
	})
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, c := range cases {
				kb.MatchResource(c.p, c.rt)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cases)), "ns/match")
	})
}

// BenchmarkExpandManagedPolicies expands every Action and NotAction of a
// corpus of policies (a gzipped JSON object of name → policy document,
// such as the AWS managed policies) named by $IAMREF_POLICY_CORPUS, with a
// fresh cache each round. It is skipped when the variable is unset.
func BenchmarkExpandManagedPolicies(b *testing.B) {
	path := os.Getenv("IAMREF_POLICY_CORPUS")
	if path == "" {
		b.Skip("IAMREF_POLICY_CORPUS not set")
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	var corpus map[string]struct {
		Statement json.RawMessage
	}
	if err := json.NewDecoder(zr).Decode(&corpus); err != nil {
		b.Fatal(err)
	}
	var patterns []string
	strs := func(raw json.RawMessage) []string {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			return []string{one}
		}
		var many []string
		json.Unmarshal(raw, &many)
		return many
	}
	for _, p := range corpus {
		var stmts []map[string]json.RawMessage
		if json.Unmarshal(p.Statement, &stmts) != nil {
			var one map[string]json.RawMessage
			json.Unmarshal(p.Statement, &one)
			stmts = append(stmts, one)
		}
		for _, s := range stmts {
			patterns = append(patterns, strs(s["Action"])...)
			patterns = append(patterns, strs(s["NotAction"])...)
		}
	}
	kb := Default()
	b.ReportAllocs()
	for b.Loop() {
		kb.expandCache = setCache{}
		n := 0
		for _, p := range patterns {
			n += len(kb.Expand(p))
		}
		runtime.KeepAlive(n)
	}
	b.ReportMetric(float64(len(corpus)), "policies")
	b.ReportMetric(float64(len(patterns)), "patterns")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/corpus")
}
