package suggest

import (
	"fmt"
	"testing"
	"strings"

	"github.com/policycheck/policycheck/assistant/iamref"
)

func TestExplore(t *testing.T) {
	kb := iamref.Default()
	fmt.Println("actions", kb.NumActions(), "services", len(kb.Services()))
	for l := iamref.List; l <= iamref.Tagging; l++ {
		fmt.Println(l, kb.LevelSet(l).Len())
	}
	for _, p := range []string{"*:Get*", "*:List*", "*:Describe*", "*:Search*", "*:BatchGet*", "s3:*", "s3:Get*", "ec2:Describe*", "iam:*"} {
		s := kb.Expand(p)
		lv := map[iamref.Level]int{}
		var ex []string
		s.Each(func(id iamref.ActionID) bool { a := kb.ActionByID(id); lv[a.Level]++; if a.Level != iamref.List && a.Level != iamref.Read && len(ex) < 5 { ex = append(ex, a.FullName()) }; return true })
		fmt.Println(p, s.Len(), lv, ex)
	}
	for _, n := range []string{"s3:GetObject", "s3:ListBucket", "ec2:RunInstances", "iam:PassRole", "ec2:CreateTags", "lambda:CreateFunction", "dynamodb:Query", "s3:ListAllMyBuckets", "sqs:SendMessage"} {
		a := kb.Action(n)
		var rs []string
		for _, r := range a.Resources {
			rs = append(rs, fmt.Sprintf("%s(%v)%v", r.Type.Name, r.Required, r.Type.ARNFormats))
		}
		fmt.Println(n, a.Level, len(a.Resources), strings.Join(rs, " "))
	}
	// how many actions have no required types but some types
	noReq, many := 0, 0
	for id := 0; id < kb.NumActions(); id++ {
		a := kb.ActionByID(iamref.ActionID(id))
		req := 0
		for _, r := range a.Resources { if r.Required { req++ } }
		if len(a.Resources) > 0 && req == 0 { noReq++ }
		if req > 4 { many++ }
	}
	fmt.Println("noReq", noReq, "req>4", many)
}
