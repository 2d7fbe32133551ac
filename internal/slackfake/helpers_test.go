package slackfake

import (
	"context"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// testTimeout bounds every wait so a broken test fails instead of hanging;
// no assertion depends on it.
const testTimeout = 20 * time.Second

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// newServer starts a Server with a member channel C1, a non-member channel
// C2 and users U1 (alice) and U2 (bob).
func newServer(t *testing.T, opts Options) *Server {
	t.Helper()
	srv := New(opts)
	t.Cleanup(srv.Close)
	srv.AddChannel("C1", "general", true)
	srv.AddChannel("C2", "random", false)
	srv.AddUser("U1", "alice")
	srv.AddUser("U2", "bob")
	return srv
}

func newAPI(srv *Server) *slack.Client {
	cfg := srv.Config()
	return slack.New(cfg.BotToken, slack.OptionAppLevelToken(cfg.AppToken), slack.OptionAPIURL(srv.APIURL()))
}

// smClient is a slack-go Socket Mode client running against the fake; the
// requests it receives (events, slash commands, interactions) are forwarded
// to reqs, other events are drained.
type smClient struct {
	api  *slack.Client
	sm   *socketmode.Client
	reqs chan socketmode.Event
	done chan error
}

func startClient(t *testing.T, srv *Server, opts ...socketmode.Option) *smClient {
	t.Helper()
	api := newAPI(srv)
	sm := socketmode.New(api, opts...)
	ctx, cancel := context.WithCancel(context.Background())
	c := &smClient{api: api, sm: sm, reqs: make(chan socketmode.Event, 100), done: make(chan error, 1)}
	go func() { c.done <- sm.RunContext(ctx) }()
	go func() {
		for {
			select {
			case evt := <-sm.Events:
				switch evt.Type {
				case socketmode.EventTypeEventsAPI, socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
					select {
					case c.reqs <- evt:
					case <-ctx.Done():
						return
					}
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-c.done
	})
	return c
}

// next returns the next request the client received.
func (c *smClient) next(t *testing.T) socketmode.Event {
	t.Helper()
	select {
	case evt := <-c.reqs:
		return evt
	case <-time.After(testTimeout):
		t.Fatal("no request reached the client")
		return socketmode.Event{}
	}
}

// ack acknowledges a request, with an optional payload.
func (c *smClient) ack(t *testing.T, evt socketmode.Event, payload ...any) {
	t.Helper()
	if err := c.sm.Ack(*evt.Request, payload...); err != nil {
		t.Fatalf("ack: %v", err)
	}
}

// slackErr returns the Slack error code of err ("" for nil).
func slackErr(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := err.(slack.SlackErrorResponse); ok {
		return e.Err
	}
	return err.Error()
}
