package slackfake

import (
	"context"
	"regexp"
	"slices"
	"time"
)

// Reaction is one emoji on a message and who added it.
type Reaction struct {
	Name  string
	Users []string
}

// ReactionEvent is one reactions.add or reactions.remove that succeeded, in
// the order they came.
type ReactionEvent struct {
	Channel, TS string // the message
	Name        string
	User        string
	Added       bool // false for a removal
	At          time.Time
}

// maxReactions is how many different emoji a message can hold before
// reactions.add answers too_many_reactions.
const maxReactions = 50

// emojiName matches what reactions.add accepts as a name: without colons.
var emojiName = regexp.MustCompile(`^[a-z0-9_+'-]+(::skin-tone-[2-6])?$`)

// reactionTarget finds the message of a reactions call: channel and
// timestamp (file and file_comment targets are not supported: Slack
// retired them).
func (s *Server) reactionTargetLocked(r *apiRequest) (*channel, *Message, *apiError) {
	ts := r.params.Get("timestamp")
	if r.params.Get("channel") == "" || ts == "" {
		return nil, nil, errCode("no_item_specified")
	}
	ch, e := s.resolveChannelLocked(r.params.Get("channel"))
	if e != nil {
		return nil, nil, e
	}
	if !ch.im && !ch.member {
		return nil, nil, errCode("not_in_channel")
	}
	_, m := ch.find(ts)
	if m == nil {
		return nil, nil, errCode("message_not_found")
	}
	return ch, m, nil
}

// reactionsAdd adds an emoji as the bot: already_reacted when the bot has
// it on the message already, invalid_name for a name with colons or
// characters Slack does not allow.
func (s *Server) reactionsAdd(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, m, e := s.reactionTargetLocked(r)
	if e != nil {
		return nil, e
	}
	name := r.params.Get("name")
	if !emojiName.MatchString(name) {
		return nil, errCode("invalid_name")
	}
	user := s.opts.BotUserID
	i := slices.IndexFunc(m.Reactions, func(x Reaction) bool { return x.Name == name })
	switch {
	case i >= 0 && slices.Contains(m.Reactions[i].Users, user):
		return nil, errCode("already_reacted")
	case i >= 0:
		m.Reactions[i].Users = append(m.Reactions[i].Users, user)
	case len(m.Reactions) >= maxReactions:
		return nil, errCode("too_many_reactions")
	default:
		m.Reactions = append(m.Reactions, Reaction{Name: name, Users: []string{user}})
	}
	s.reactionLog = append(s.reactionLog, ReactionEvent{Channel: ch.id, TS: m.TS, Name: name, User: user, Added: true, At: time.Now()})
	s.notifyLocked()
	return map[string]any{}, nil
}

// reactionsRemove removes the bot's emoji: no_reaction when it has none
// of that name on the message.
func (s *Server) reactionsRemove(r *apiRequest) (map[string]any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, m, e := s.reactionTargetLocked(r)
	if e != nil {
		return nil, e
	}
	name := r.params.Get("name")
	user := s.opts.BotUserID
	i := slices.IndexFunc(m.Reactions, func(x Reaction) bool { return x.Name == name })
	if i < 0 || !slices.Contains(m.Reactions[i].Users, user) {
		return nil, errCode("no_reaction")
	}
	m.Reactions[i].Users = slices.DeleteFunc(m.Reactions[i].Users, func(u string) bool { return u == user })
	if len(m.Reactions[i].Users) == 0 {
		m.Reactions = slices.Delete(m.Reactions, i, i+1)
	}
	s.reactionLog = append(s.reactionLog, ReactionEvent{Channel: ch.id, TS: m.TS, Name: name, User: user, Added: false, At: time.Now()})
	s.notifyLocked()
	return map[string]any{}, nil
}

// React adds a reaction as userID, as a person clicking an emoji would (no
// event is delivered).
func (s *Server) React(channelID, ts, userID, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[channelID]
	if !ok {
		return errNoSuchMessage
	}
	_, m := ch.find(ts)
	if m == nil {
		return errNoSuchMessage
	}
	i := slices.IndexFunc(m.Reactions, func(x Reaction) bool { return x.Name == name })
	if i < 0 {
		m.Reactions = append(m.Reactions, Reaction{Name: name})
		i = len(m.Reactions) - 1
	}
	if !slices.Contains(m.Reactions[i].Users, userID) {
		m.Reactions[i].Users = append(m.Reactions[i].Users, userID)
	}
	s.notifyLocked()
	return nil
}

// Reactions returns the successful reactions.add and reactions.remove
// calls, in order.
func (s *Server) Reactions() []ReactionEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reactionLog)
}

// WaitReaction waits until a reaction event satisfies match and returns it.
func (s *Server) WaitReaction(ctx context.Context, match func(ReactionEvent) bool) (ReactionEvent, error) {
	var found ReactionEvent
	err := s.waitFor(ctx, func() bool {
		for _, e := range s.reactionLog {
			if match(e) {
				found = e
				return true
			}
		}
		return false
	})
	return found, err
}

// reactionsObject renders reactions as the API returns them.
func reactionsObject(rs []Reaction) []any {
	out := make([]any, len(rs))
	for i, r := range rs {
		out[i] = map[string]any{"name": r.Name, "users": slices.Clone(r.Users), "count": len(r.Users)}
	}
	return out
}
