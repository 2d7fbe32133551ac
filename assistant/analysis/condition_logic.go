package analysis

import (
	"strconv"
	"strings"
	"time"

	"github.com/policycheck/policycheck/assistant/lang"
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// What a statement's conditions mean together: keys that are effective
// only beside another (IAM Access Analyzer's MISSING_PAIRED_CONDITION_KEYS)
// and date ranges that no request can fall in.
var (
	ruleConditionPairedKey = rules.Register(&rules.Rule{
		ID: "PC430", Name: "condition-missing-paired-key", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 8,
		Title:  "{key} without {pair}",
		Detail: "{why}",
		Fix:    "Add {pair} to the same statement.",
		Why: "Some condition keys identify a caller or a source only together with another: a private address is the same in every VPC, " +
			"and an S3 bucket's ARN names no account, so a bucket of the same name in another account meets the condition.",
		Example: `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*",
 "Condition": {"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}}}`,
		References: []string{
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-vpcsourceip",
			"https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
		},
	})
	ruleConditionDateNever = rules.Register(&rules.Rule{
		ID: "PC431", Name: "condition-date-never", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 8,
		Title:  "{key} can never be after {after} and before {before}",
		Detail: "The statement's date conditions on {key} leave no time at which both hold: it never applies{allow?, and grants nothing| and denies nothing}.",
		Fix:    "Correct the dates: the start must come before the end.",
		Why: "Swapped or mistyped dates turn a time window into none: an Allow grants nothing, and a Deny meant to close access " +
			"outside the window closes nothing.",
		Example: `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*",
 "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-12-31T00:00:00Z"}, "DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date"},
	})
	ruleConditionDateExpired = rules.Register(&rules.Rule{
		ID: "PC432", Name: "condition-date-expired", Category: report.ConditionCategory, Severity: report.Low, Ceiling: 8,
		Title:  "{key} before {before}: the statement no longer applies",
		Detail: "The statement applies only before {before}, which is past: it {allow?grants|denies} nothing any more.",
		Fix:    "Remove the statement, or move the date if the access is still meant.",
		Why: "A dated exception that has expired does nothing but mislead; a dated Deny that has expired no longer protects what " +
			"its author thinks it does.",
		Example: `{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*",
 "Condition": {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}`,
		References: []string{"https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws-dates.html"},
	})
)

// now is the time expired dates are judged against.
var now = time.Now

// conditionLogic reports what a statement's conditions mean together.
func (r *review) conditionLogic(st *stmt) {
	if !st.Allow && !st.Deny {
		return
	}
	r.pairedKeys(st)
	r.dateRanges(st)
}

func (r *review) pairedKeys(st *stmt) {
	has := map[string]bool{}
	for _, c := range st.Src.Conditions {
		has[strings.ToLower(c.Key)] = true
	}
	for _, c := range st.Src.Conditions {
		if !positive(c.Operator) {
			continue
		}
		switch strings.ToLower(c.Key) {
		case "aws:vpcsourceip":
			if !has["aws:sourcevpc"] && !has["aws:sourcevpce"] {
				r.add(st, ruleConditionPairedKey, rules.Args{"key": c.Key, "pair": lang.English.Sprintf("aws:SourceVpc or aws:SourceVpce"),
					"why": lang.English.Sprintf("aws:VpcSourceIp is a private address, and the same addresses are used in every VPC, " +
						"other accounts' included: alone it admits any of them.")})
			}
		case "aws:sourcearn":
			if has["aws:sourceaccount"] || has["aws:sourceorgid"] || has["aws:sourceorgpaths"] || has["aws:sourceowner"] {
				continue
			}
			for _, v := range c.Values.Strings() {
				f := strings.SplitN(strings.TrimSpace(v), ":", 6)
				if len(f) == 6 && f[4] == "" && !templated(v) {
					r.add(st, ruleConditionPairedKey, rules.Args{"key": c.Key, "pair": "aws:SourceAccount",
						"why": lang.English.Sprintf("An ARN without an account (%s) names a resource by a name another account can "+
							"take once it is free, such as an S3 bucket's: AWS recommends aws:SourceAccount beside it.", strings.TrimSpace(v))})
					break
				}
			}
		}
	}
}

// dateRanges reports date conditions no request can meet, and windows
// on the current time that have closed.
func (r *review) dateRanges(st *stmt) {
	type bound struct {
		t      time.Time
		strict bool
		set    bool
		text   string
	}
	lower, upper := map[string]*bound{}, map[string]*bound{}
	names := map[string]string{}
	var order []string
	for _, c := range st.Src.Conditions {
		base, set, ifExists := baseOperator(c.Operator)
		if set != "" || ifExists {
			continue
		}
		lb := strings.ToLower(base)
		var into map[string]*bound
		isLower := false
		strict := !strings.HasSuffix(lb, "equals")
		switch lb {
		case "dategreaterthan", "dategreaterthanequals":
			into, isLower = lower, true
		case "datelessthan", "datelessthanequals":
			into = upper
		default:
			continue
		}
		key := strings.ToLower(c.Key)
		if _, ok := names[key]; !ok {
			names[key] = c.Key
			order = append(order, key)
		}
		// Several values are alternatives: the widest one counts.
		var b *bound
		for _, v := range c.Values.Strings() {
			t, ok := parseDate(strings.TrimSpace(v))
			if !ok {
				b = nil // a value the review cannot read: judge nothing
				break
			}
			wider := b == nil || (isLower && t.Before(b.t)) || (!isLower && t.After(b.t))
			if wider {
				b = &bound{t: t, strict: strict, set: true, text: strings.TrimSpace(v)}
			}
		}
		if b != nil {
			into[key] = b
		}
	}
	for _, key := range order {
		lo, hi := lower[key], upper[key]
		args := rules.Args{"key": names[key], "allow": flag(st.Allow)}
		if lo != nil && hi != nil && (lo.t.After(hi.t) || lo.t.Equal(hi.t) && (lo.strict || hi.strict)) {
			args["after"], args["before"] = lo.text, hi.text
			r.add(st, ruleConditionDateNever, args)
			continue
		}
		if hi != nil && (key == "aws:currenttime" || key == "aws:epochtime") && hi.t.Before(now()) {
			args["before"] = hi.text
			r.add(st, ruleConditionDateExpired, args)
		}
	}
}

// parseDate reads a date as IAM does: ISO 8601 or epoch seconds.
func parseDate(v string) (time.Time, bool) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
