package slackbot

import (
	"net/http"
	"net/url"

	"github.com/slack-go/slack"
)

// maxEnvelope bounds the size of one Socket Mode message. Slack's largest
// envelopes (a 40,000-character message with its blocks, a dialog with
// its state) are a few hundred KB; a larger one is refused while it is
// read, without being held in memory: the connection is closed, slack-go
// opens another, and the envelopes behind it come on that one.
const maxEnvelope = 1 << 20

// maxFiles bounds the files of one message that are reviewed; the
// requester is told about the others.
const maxFiles = 10

// keepTokenToOrigin returns a copy of c that sends the bot token (and
// cookies) on a redirect only to the origin the request was made to: the
// same scheme, host and port. Go's own rule keeps them for subdomains
// too, and a redirect from a file's host is not for Slack to choose.
func keepTokenToOrigin(c *http.Client) *http.Client {
	cp := *c
	next := c.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && !sameOrigin(req.URL, via[0].URL) {
			req.Header.Del("Authorization")
			req.Header.Del("Cookie")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return &cp
}

func sameOrigin(a, b *url.URL) bool {
	return a.Scheme == b.Scheme && a.Hostname() == b.Hostname() && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch u.Scheme {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// ours reports whether an interactive payload is for this app in its
// workspace: another app's or another team's payload is ignored. An
// organization-wide install serves many teams; its team is not checked.
func (b *Bot) ours(cb slack.InteractionCallback) bool {
	if app := b.appID.Load(); app != nil && cb.APIAppID != "" && cb.APIAppID != *app {
		b.log.Warn("interactive payload for another app ignored", "app", cb.APIAppID)
		return false
	}
	if b.self.EnterpriseID == "" && cb.Team.ID != "" && b.self.TeamID != "" && cb.Team.ID != b.self.TeamID {
		b.log.Warn("interactive payload from another team ignored", "team", cb.Team.ID)
		return false
	}
	return true
}
