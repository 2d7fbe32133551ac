// Package slackfake is a loopback Slack for end-to-end tests: one HTTP server
// on 127.0.0.1 that speaks the Web API, Socket Mode and the file and
// response_url endpoints closely enough that github.com/slack-go/slack and its
// socketmode package run against it unmodified.
//
// Point a client at it with slack.OptionAPIURL(srv.APIURL()) (or
// SLACK_API_URL) and the tokens from srv.Config(). The server then:
//
//   - answers apps.connections.open (app token) with a ws:// link that sends
//     hello, WebSocket PINGs, the envelopes the test drives, and records acks;
//   - serves the Web API methods a bot needs (chat.*, conversations.*,
//     users.info, auth.test, files.info, the external upload flow, views.*,
//     reactions.add and reactions.remove),
//     form-encoded or JSON as the SDK sends them, bot token checked, with
//     Slack's response shapes and error codes;
//   - validates Block Kit on every message, update, view and response_url
//     post, answering invalid_blocks (invalid_arguments for views) with a
//     response_metadata.messages entry per problem, in Slack's wording;
//   - serves private file URLs on the API host (Bearer token required; without
//     it, a 302 to a sign-in page, as Slack does) and the upload_url of
//     files.getUploadURLExternal.
//
// The test drives users (SlashCommand, Mention, Message, DirectMessage,
// FileShare, BlockAction in a message or a modal, ViewSubmission, EditMessage,
// React, Send), inspects what the bot did (Messages, WaitMessage, Responses,
// Views, Uploads, Reactions, WaitReaction, Calls, AckCount, WaitAck) and injects faults (FailNext, RateLimitNext, Disconnect,
// DropConnection, Redeliver, ExpireTrigger, ExpireResponseURL). A driving
// method stores what the user did, then waits (bounded by its ctx) for a
// routable link and returns once its envelopes are written, not acked: use
// WaitAck, WaitMessage and the other waits for the bot's reaction.
//
// Choices where Slack is undocumented or the fake simplifies, all deliberate:
//   - message and limit lengths count Unicode code points;
//   - msg_blocks_too_long is answered when the characters of all "text"
//     strings in a message's blocks add up to more than 13,000;
//   - a bad text object is reported as Slack does, "failed to match all
//     allowed schemas" for the object, then the detail;
//   - views.open and views.update answer invalid_arguments (not
//     invalid_blocks) for an invalid view, as Slack does; an unknown
//     trigger_id is invalid_arguments with "invalid `trigger_id`", a used one
//     exchanged_trigger_id, an expired one expired_trigger_id;
//   - the bot has no chat:write.public scope: posting where it is not a
//     member answers not_in_channel;
//   - a redelivered envelope gets a new envelope_id with retry_attempt+1 and
//     retry_reason "timeout"; its payload (and so event_id) is unchanged;
//   - response_url posts that are expired, used up or unknown get HTTP 404
//     with {"ok":false,"error":"expired_url"|"used_url"|"invalid_url"};
//     invalid content gets HTTP 200 with {"ok":false,"error":...}; a response
//     to a button in a thread goes to that thread;
//   - blocks without a block_id get one assigned, as Slack does, so stored
//     blocks can differ from the blocks the bot sent by that field;
//   - slash command text is delivered as typed; message text is encoded as
//     Slack does (see MessageOptions);
//   - EditMessage changes history without delivering message_changed;
//   - reactions.add and reactions.remove act as the bot on a message
//     (channel and timestamp), answering already_reacted, no_reaction,
//     invalid_name (a name with colons), message_not_found,
//     not_in_channel, channel_not_found, no_item_specified and
//     too_many_reactions (over 50 emoji); no reaction events are delivered;
//   - a click in a modal has a "view" container and the view as it is, a
//     trigger_id and no response_url.
package slackfake
