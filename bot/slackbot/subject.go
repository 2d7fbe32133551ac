package slackbot

import (
	"github.com/policycheck/policycheck/assistant/policy"
)

// subject says what a policy is, for a card and the history: the first
// principal of a resource or trust policy, else the first Sid. name is
// the input's file name, empty for a message's text.
func subject(name, text string) (principal, sid string) {
	if text == "" {
		return "", ""
	}
	res, err := policy.Read([]byte(text), policy.Options{Name: name, Chat: name == ""})
	if err != nil || len(res.Documents) == 0 {
		return "", ""
	}
	for _, st := range res.Documents[0].Statements {
		p := st.Principal
		if p == nil {
			p = st.NotPrincipal
		}
		switch {
		case p == nil:
		case p.Any:
			return "*", ""
		default:
			for _, e := range p.Entries {
				if len(e.Values.Values) > 0 {
					return e.Values.Values[0].Text, ""
				}
			}
		}
	}
	for _, st := range res.Documents[0].Statements {
		if st.Sid != "" {
			return "", st.Sid
		}
	}
	return "", ""
}
