package slackfake_test

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/policycheck/policycheck/internal/slackfake"
)

// A bot under test connects with the fake's tokens and API URL; the test
// plays the user and inspects what the bot posted.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv := slackfake.New(slackfake.Options{})
	defer srv.Close()
	srv.AddChannel("C1", "security", true)
	srv.AddUser("U1", "alice")

	// The bot: SLACK_API_URL=srv.APIURL(), tokens from srv.Config().
	cfg := srv.Config()
	api := slack.New(cfg.BotToken, slack.OptionAppLevelToken(cfg.AppToken), slack.OptionAPIURL(srv.APIURL()))
	bot := socketmode.New(api)
	go bot.RunContext(ctx)
	go func() {
		for evt := range bot.Events {
			if evt.Type == socketmode.EventTypeEventsAPI {
				bot.Ack(*evt.Request)
				api.PostMessageContext(ctx, "C1", slack.MsgOptionText("Score 4/10", false))
				return
			}
		}
	}()

	// The user mentions the bot; the test waits for its answer.
	if _, err := srv.Mention(ctx, "C1", "U1", "review this", slackfake.MessageOptions{}); err != nil {
		fmt.Println(err)
		return
	}
	m, err := srv.WaitMessage(ctx, func(m slackfake.Message) bool { return m.BotID != "" })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Text)
	// Output: Score 4/10
}
