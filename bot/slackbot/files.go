package slackbot

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/policycheck/policycheck/assistant/policy"
)

// fileName names a file for the user.
func fileName(f slack.File) string {
	switch {
	case f.Name != "":
		return f.Name
	case f.Title != "":
		return f.Title
	}
	return f.ID
}

// readFile fetches a file's metadata with files.info and downloads it with
// the bot token. It returns the text, or the problem to tell the user.
func (b *Bot) readFile(ctx context.Context, f slack.File) (string, *fileProblem) {
	name := fileName(f)
	info, _, _, err := b.api.GetFileInfoContext(ctx, f.ID, 0, 0)
	if err != nil {
		err = b.apiError("files.info", err)
		b.log.Warn("files.info failed", "file", f.ID, "err", err)
		return "", &fileProblem{
			Title:  "I could not read the file",
			Detail: fmt.Sprintf("Slack did not give me %s (%s). If it was shared from another organization, paste its content instead.", name, errorCode(err)),
		}
	}
	name = fileName(*info)
	switch {
	case !supportedFile(*info):
		return "", unsupported(*info)
	case info.Size > policy.MaxInputBytes:
		return "", tooLarge(name, info.Size)
	}
	url := info.URLPrivateDownload
	if url == "" {
		url = info.URLPrivate
	}
	if url == "" {
		return "", &fileProblem{
			Title:  "I could not read the file",
			Detail: name + " has no download link for me (files shared from another organization have none). Paste its content instead.",
		}
	}
	w := &limitWriter{n: policy.MaxInputBytes}
	if err := b.api.GetFileContext(ctx, url, w); err != nil {
		if errors.Is(err, errFileTooLarge) {
			return "", tooLarge(name, 0)
		}
		err = b.apiError("files.download", err)
		b.log.Warn("file download failed", "file", f.ID, "err", err)
		return "", &fileProblem{
			Title:  "I could not download the file",
			Detail: fmt.Sprintf("Downloading %s failed (%s). Try again, or paste its content instead.", name, errorCode(err)),
		}
	}
	if p := checkText(name, w.buf.Bytes()); p != nil {
		return "", p
	}
	return w.buf.String(), nil
}
