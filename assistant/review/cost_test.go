package review_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/policycheck/policycheck/assistant/bedrock"
	"github.com/policycheck/policycheck/assistant/iamref"
	"github.com/policycheck/policycheck/assistant/review"
	"github.com/policycheck/policycheck/internal/bedrockfake"
)

// typicalPolicy is a typical policy of 20 lines: a Lambda function's
// reads, writes and logs, one statement too broad.
const typicalPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadReports",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::acme-reports", "arn:aws:s3:::acme-reports/*"]
    },
    {
      "Sid": "WriteOrders",
      "Effect": "Allow",
      "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
      "Resource": "*"
    },
    {
      "Sid": "Logs",
      "Effect": "Allow",
      "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
      "Resource": "arn:aws:logs:*:*:*"
    }
  ]
}`

// typicalAnswer is what a model answers about typicalPolicy: a summary,
// two findings of its own, and a rewrite that improves on the engine's.
func typicalAnswer() bedrockfake.Response {
	return bedrockfake.Review(map[string]any{
		"embedded_instructions": false,
		"score":                 5,
		"summary":               "The function can write and delete items of every DynamoDB table in the account, and its logs reach every log group.",
		"findings": []any{
			map[string]any{"severity": "medium", "category": "wildcard-resource", "statement": 1, "actions": []any{"dynamodb:DeleteItem"}, "resources": []any{"*"},
				"title": "DeleteItem on every table", "detail": "Nothing in the description of the workload needs deletions; with Resource * any table of the account can be emptied.",
				"recommendation": "Drop dynamodb:DeleteItem, and name the orders table: arn:aws:dynamodb:<region>:<account-id>:table/orders."},
			map[string]any{"severity": "low", "category": "wildcard-resource", "statement": 2, "actions": []any{"logs:PutLogEvents"}, "resources": []any{"arn:aws:logs:*:*:*"},
				"title": "Logs of every function", "detail": "The function can write to the log groups of every other function and service.",
				"recommendation": "Limit it to arn:aws:logs:<region>:<account-id>:log-group:/aws/lambda/<function-name>:*."},
		},
		"suggested_policy": `{"Version":"2012-10-17","Statement":[{"Sid":"ReadReports","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::acme-reports","arn:aws:s3:::acme-reports/*"]},{"Sid":"WriteOrders","Effect":"Allow","Action":["dynamodb:PutItem","dynamodb:UpdateItem"],"Resource":"arn:aws:dynamodb:<region>:<account-id>:table/orders"},{"Sid":"Logs","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:<region>:<account-id>:log-group:/aws/lambda/<function-name>:*"}]}`,
	})
}

// Claude Sonnet 4.5 on Bedrock, on demand, in US dollars per million
// tokens (the public price list when this was written).
const (
	priceInput      = 3.00
	priceOutput     = 15.00
	priceCacheWrite = 3.75
	priceCacheRead  = 0.30
)

// BenchmarkModelCost reviews typicalPolicy with the model against the
// fake, which counts tokens as Bedrock bills them (about four characters
// a token, the tool-use prompt, the prompt cache), and reports the tokens
// of one review once the cache is warm and the cost of 1,000 reviews.
//
//	go test ./assistant/review -run '^$' -bench ModelCost -benchtime 20x
func BenchmarkModelCost(b *testing.B) {
	for _, c := range []struct{ name, policy string }{
		{"typical-20-lines", typicalPolicy},
		{"admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
	} {
		b.Run(c.name, func(b *testing.B) { benchmarkModelCost(b, c.policy) })
	}
}

func benchmarkModelCost(b *testing.B, policy string) {
	f := bedrockfake.Start(bedrockfake.Config{})
	b.Cleanup(f.Close)
	f.Handle(func(*bedrockfake.Request) bedrockfake.Response { return typicalAnswer() })
	c, err := bedrock.New(aws.Config{Region: f.Region(), Credentials: credentialsOf(f)},
		bedrock.Config{ModelID: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", Endpoint: f.URL})
	if err != nil {
		b.Fatal(err)
	}
	rv := review.New(iamref.Default(), review.WithModel(c))
	in := review.Input{Name: "lambda.json", Data: []byte(policy)}
	first, err := rv.Review(context.Background(), in) // writes the cache
	if err != nil || first.Usage == nil {
		b.Fatalf("review: %v", err)
	}
	var total review.Usage
	b.ResetTimer()
	for b.Loop() {
		rep, err := rv.Review(context.Background(), in)
		if err != nil || rep.Usage == nil {
			b.Fatalf("review: %v", err)
		}
		total.Add(*rep.Usage)
	}
	n := float64(total.Calls)
	in1, out1, read1 := float64(total.InputTokens)/n, float64(total.OutputTokens)/n, float64(total.CacheReadInputTokens)/n
	b.ReportMetric(in1, "input-tokens/review")
	b.ReportMetric(out1, "output-tokens/review")
	b.ReportMetric(read1, "cache-read-tokens/review")
	b.ReportMetric(float64(first.Usage.CacheWriteInputTokens), "cache-write-tokens/first")
	b.ReportMetric(1000*(in1*priceInput+out1*priceOutput+read1*priceCacheRead)/1e6, "USD/1000-reviews")
	b.ReportMetric(1000*((in1+read1)*priceInput+out1*priceOutput)/1e6, "USD/1000-uncached")
}
