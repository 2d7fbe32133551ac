package iamref

import (
	"regexp"
	"strings"
	"sync"
	"testing"
)

// expandSlow is Expand by brute force: a regular expression over every
// full name.
func expandSlow(kb *KB, pattern string) ActionSet {
	re := regexp.MustCompile("(?i)^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$")
	var s ActionSet
	for id := ActionID(0); int(id) < kb.NumActions(); id++ {
		if re.MatchString(kb.ActionByID(id).FullName()) {
			s.Add(id)
		}
	}
	return s
}

func names(kb *KB, s ActionSet) []string {
	var out []string
	s.Each(func(id ActionID) bool {
		out = append(out, kb.ActionByID(id).FullName())
		return true
	})
	return out
}

func TestExpand(t *testing.T) {
	kb := Default()
	s3 := kb.Service("s3")
	tests := []struct {
		pattern string
		n       int      // expected size, -1: only compare with brute force
		has     []string // some members
		hasNot  []string
	}{
		{"*", kb.NumActions(), []string{"s3:GetObject", "iam:PassRole"}, nil},
		{"s3:*", len(s3.Actions), []string{"s3:GetObject"}, []string{"s3express:CreateSession"}},
		{"S3:*", len(s3.Actions), nil, nil},
		{"s3:GetObject", 1, []string{"s3:GetObject"}, []string{"s3:GetObjectAcl"}},
		{"S3:getOBJECT", 1, []string{"s3:GetObject"}, nil},
		{"s3:Get*", -1, []string{"s3:GetObject", "s3:GetBucketPolicy"}, []string{"s3:PutObject", "s3express:GetBucketPolicy"}},
		{"s3:get*", -1, []string{"s3:GetObject"}, nil},
		{"*:Describe*", -1, []string{"ec2:DescribeInstances", "rds:DescribeDBInstances"}, []string{"s3:GetObject"}},
		{"s3:*Object*", -1, []string{"s3:GetObject", "s3:PutObjectAcl", "s3:DeleteObject"}, []string{"s3:ListBucket"}},
		{"ec2:Describe?pcs", 1, []string{"ec2:DescribeVpcs"}, nil},
		{"ec2:describe?pcs", 1, []string{"ec2:DescribeVpcs"}, nil},
		{"iam:*Role*", -1, []string{"iam:PassRole", "iam:CreateRole"}, []string{"iam:CreateUser"}},
		{"s3*:*", -1, []string{"s3:GetObject", "s3express:CreateSession"}, []string{"ec2:DescribeInstances"}},
		{"*3:Get*", -1, []string{"s3:GetObject"}, nil},
		{"?3:GetObject", 1, []string{"s3:GetObject"}, nil},
		{"s3:GetObjec?", 1, []string{"s3:GetObject"}, nil},
		{"s3:GetObject*", -1, []string{"s3:GetObject", "s3:GetObjectAcl"}, nil},
		{"*:*", kb.NumActions(), nil, nil},
		{"*:GetObject", -1, []string{"s3:GetObject"}, nil},
		{"*GetObject", -1, []string{"s3:GetObject"}, nil}, // no colon: whole names
		{"s3:GetObject*:*", 0, nil, nil},
		{"nosuch:*", 0, nil, nil},
		{"nosuch:GetObject", 0, nil, nil},
		{"s3:NoSuchThing*", 0, nil, nil},
		{"s3:", 0, nil, nil},
		{"", 0, nil, nil},
		{"s3", 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			got := kb.Expand(tt.pattern)
			if tt.n >= 0 && got.Len() != tt.n {
				t.Errorf("Len() = %d, want %d", got.Len(), tt.n)
			}
			if want := expandSlow(kb, tt.pattern); want.Len() != got.Len() || !want.SubsetOf(got) {
				t.Errorf("Expand differs from brute force: got %d, want %d", got.Len(), want.Len())
			}
			for _, n := range tt.has {
				if !got.Has(mustAction(t, kb, n).ID) {
					t.Errorf("lacks %s", n)
				}
			}
			for _, n := range tt.hasNot {
				if a := kb.Action(n); a != nil && got.Has(a.ID) {
					t.Errorf("has %s", n)
				}
			}
			if len(got) > 0 && got[len(got)-1] == 0 {
				t.Errorf("set has trailing zero words")
			}
		})
	}
}

func TestExpandShared(t *testing.T) {
	kb := Default()
	a, b := kb.Expand("s3:Get*"), kb.Expand("S3:GET*")
	if len(a) == 0 || &a[0] != &b[0] {
		t.Error("patterns differing in case are not cached together")
	}
	// One-action sets share their storage yet hold only their action.
	last := kb.ActionByID(ActionID(kb.NumActions() - 1)).FullName()
	for _, name := range []string{kb.ActionByID(0).FullName(), "s3:GetObject", last} {
		id := mustAction(t, kb, name).ID
		s := kb.Expand(name)
		if s.Len() != 1 || !s.Has(id) || len(s) != int(id)/64+1 || cap(s) != len(s) {
			t.Errorf("Expand(%s) = %v (len %d cap %d)", name, names(kb, s), len(s), cap(s))
		}
		c := s.Clone()
		c.Add(0)
		if s.Has(0) && id != 0 {
			t.Error("changing a clone changed the shared set")
		}
	}
	// Every level set and All are subsets of each other as they should be.
	var u ActionSet
	for l := List; l <= Tagging; l++ {
		u.Or(kb.LevelSet(l))
	}
	if !u.SubsetOf(kb.All()) || !kb.All().SubsetOf(u) {
		t.Error("level sets do not make up All")
	}
}

func TestExpandConcurrent(t *testing.T) {
	kb, err := Load(strings.NewReader(embedded)) // a fresh cache
	if err != nil {
		t.Fatal(err)
	}
	patterns := []string{"s3:Get*", "*:Describe*", "ec2:*", "iam:*Role*", "s3:GetObject", "S3:get*", "lambda:Invoke*"}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				for _, p := range patterns {
					kb.Expand(p)
					kb.MatchResource("arn:aws:s3:::b/*", kb.Action("s3:GetObject").Resources[1].Type)
				}
			}
		}()
	}
	wg.Wait()
	for _, p := range patterns {
		if got, want := kb.Expand(p), expandSlow(kb, p); got.Len() != want.Len() || !want.SubsetOf(got) {
			t.Errorf("Expand(%s) after concurrent use differs from brute force", p)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"*", "", true},
		{"*", "abc", true},
		{"a*", "abc", true},
		{"a*", "bac", false},
		{"*c", "abc", true},
		{"a*c", "abbbc", true},
		{"a*c", "abcd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*b*", "abc", true},
		{"*x*", "abc", false},
		{"a**c", "ac", true},
		{"", "", true},
		{"", "a", false},
		{"?", "", false},
		{"*a*b*a", "abba", true},
		{"*a*b*a", "abab", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.p, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v", tt.p, tt.s, got)
		}
	}
}

// TestCompileName checks the fast matcher shapes against the general glob.
func TestCompileName(t *testing.T) {
	patterns := []string{"*", "**", "a", "ab", "a*", "*a", "*a*", "a*b", "a?", "?a*", "*a?*", "ab*", "*ab", "*ab*", "a**", "**a", "?", "*?", "?*"}
	words := []string{"", "a", "b", "ab", "ba", "aab", "abb", "bab", "abab", "xaby"}
	for _, p := range patterns {
		m := compileName(p)
		for _, w := range words {
			if got, want := m.match(w), globMatch(p, w); got != want {
				t.Errorf("compileName(%q).match(%q) = %v, glob says %v", p, w, got, want)
			}
		}
	}
}
