package slackbot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// apiAnswer is what the bot reads of a Web API answer to a chat method.
type apiAnswer struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
	TS    string `json:"ts"`
}

// readAnswer reads ok, error and ts from the JSON object of a Web API
// answer. Slack's answer to chat.postMessage and chat.update repeats the
// whole message, blocks included, several times the size of what the bot
// needs; decoding it with encoding/json scans it twice, and it is done
// for every card. Here the other members are skipped without being
// decoded (nor fully validated); the three members are decoded by
// encoding/json. Member names are matched exactly, and the last of a
// repeated member wins.
func readAnswer(data []byte) (apiAnswer, error) {
	var a apiAnswer
	i := skipSpace(data, 0)
	if i == len(data) || data[i] != '{' {
		return a, errors.New("not a JSON object")
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return a, nil
	}
	for {
		if i == len(data) || data[i] != '"' {
			return a, fmt.Errorf("offset %d: want a member name", i)
		}
		end, err := skipValue(data, i)
		if err != nil {
			return a, err
		}
		name := data[i+1 : end-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			var s string
			if err := json.Unmarshal(data[i:end], &s); err != nil {
				return a, fmt.Errorf("offset %d: %w", i, err)
			}
			name = []byte(s)
		}
		i = skipSpace(data, end)
		if i == len(data) || data[i] != ':' {
			return a, fmt.Errorf("offset %d: want a colon", i)
		}
		i = skipSpace(data, i+1)
		if end, err = skipValue(data, i); err != nil {
			return a, err
		}
		var field any
		switch string(name) {
		case "ok":
			field = &a.OK
		case "error":
			field = &a.Error
		case "ts":
			field = &a.TS
		}
		if field != nil {
			if err := json.Unmarshal(data[i:end], field); err != nil {
				return a, fmt.Errorf("member %q: %w", name, err)
			}
		}
		i = skipSpace(data, end)
		switch {
		case i == len(data):
			return a, errors.New("unexpected end of the object")
		case data[i] == ',':
			i = skipSpace(data, i+1)
		case data[i] == '}':
			return a, nil
		default:
			return a, fmt.Errorf("offset %d: want a comma or the end of the object", i)
		}
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipValue returns the end of the JSON value that starts at data[i]:
// strings are scanned to their closing quote, objects and arrays to their
// closing bracket, other values to the next delimiter.
func skipValue(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, errors.New("unexpected end of the answer")
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				end, err := skipString(data, i)
				if err != nil {
					return 0, err
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
			i++
		}
		return 0, errors.New("unterminated object or array")
	}
	start := i
	for i < len(data) {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if i == start {
				return 0, fmt.Errorf("offset %d: want a value", i)
			}
			return i, nil
		}
		i++
	}
	return i, nil
}

// skipString returns the end of the JSON string that starts at data[i].
func skipString(data []byte, i int) (int, error) {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errors.New("unterminated string")
}
