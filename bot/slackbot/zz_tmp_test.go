package slackbot

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/bot/card"
)

const tmpPolicy = "```" + `{"Version": "2012-10-17", "Statement": [
 {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]},
 {"Sid": "Table", "Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/orders"},
 {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
]}` + "```"

func BenchmarkTmpReview(b *testing.B) {
	rv := review.New(iamref.Default())
	for b.Loop() {
		rv.Review(context.Background(), review.Input{Data: []byte(tmpPolicy)})
	}
}
func BenchmarkTmpMarshal(b *testing.B) {
	rv := review.New(iamref.Default())
	rep, _ := rv.Review(context.Background(), review.Input{Data: []byte(tmpPolicy)})
	for b.Loop() {
		json.Marshal(rep)
	}
}
func BenchmarkTmpRender(b *testing.B) {
	rv := review.New(iamref.Default())
	rep, _ := rv.Review(context.Background(), review.Input{Data: []byte(tmpPolicy)})
	for b.Loop() {
		card.Render(rep, card.Meta{RequesterID: "U0ALICE01", At: time.Now(), ReviewID: "r0123456789abcdef"})
	}
}
func BenchmarkTmpBlocksJSON(b *testing.B) {
	rv := review.New(iamref.Default())
	rep, _ := rv.Review(context.Background(), review.Input{Data: []byte(tmpPolicy)})
	m := card.Render(rep, card.Meta{RequesterID: "U0ALICE01", At: time.Now(), ReviewID: "r0123456789abcdef"})
	for b.Loop() {
		json.Marshal(m.Blocks)
	}
}
