package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/kobanhq/koban"
	"github.com/kobanhq/koban/metrics"
)

var _ metrics.Poster = (*Bot)(nil)

// Slack's Block Kit limits that the report has to respect.
// https://docs.slack.dev/reference/block-kit/blocks
const (
	maxBlocks        = 50
	maxSectionFields = 10
	maxHeaderText    = 150
	maxFieldText     = 2000
)

// PostReport posts the monthly report's summary in Options.ReportChannel,
// then uploads its charts and the full Markdown report in the summary's
// thread. It implements metrics.Poster.
//
// The error is EInvalid when no report channel is configured; it wraps
// desk.ErrUndeliverable when Slack refuses for good (channel archived, koban
// not invited, files:write missing), is a *RateLimitError on 429, and is an
// ordinary error worth retrying otherwise (5xx, network). A retry after the
// message went out but an upload failed posts the message again: a duplicate
// report is better than a report without its charts.
func (c *Client) PostReport(ctx context.Context, team string, s metrics.Summary) error {
	if c.cfg.ReportChannel == "" {
		return koban.Errorf(koban.EInvalid, "no Slack channel for the monthly report: set report.channel (KOBAN_REPORT_CHANNEL)")
	}
	ch := c.cfg.ReportChannel
	msg := renderReport(c.teamLang(), s)
	_, ts, err := c.api.PostMessageContext(ctx, ch,
		slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks...), slack.MsgOptionDisableLinkUnfurl())
	if err != nil {
		return fmt.Errorf("post report %s in %s: %w", s.Month, ch, classify(err))
	}
	files := reportFiles(s)
	if err := c.upload(ctx, ch, ts, files); err != nil {
		return fmt.Errorf("attach report %s files in %s: %w", s.Month, ch, err)
	}
	c.log.Info("report posted in slack", "team", team, "month", s.Month, "channel", ch, "files", len(files))
	return nil
}

// upload is one file to upload.
type upload struct {
	name, title, alt string
	data             []byte
}

// reportFiles lists the summary's charts and Markdown report; empty ones are
// skipped, since Slack refuses a zero-length upload.
func reportFiles(s metrics.Summary) []upload {
	var out []upload
	for _, c := range s.Charts {
		if len(c.Data) == 0 {
			continue
		}
		format := c.Format
		if format == "" {
			format = "png"
		}
		title := c.Title
		if title == "" {
			title = c.Name
		}
		out = append(out, upload{name: fmt.Sprintf("koban-%s-%s.%s", c.Name, s.Month, format), title: title, alt: title, data: c.Data})
	}
	if len(s.File) > 0 {
		name := s.FileName
		if name == "" {
			name = "koban-report-" + s.Month + ".md"
		}
		out = append(out, upload{name: name, title: s.Title, data: s.File})
	}
	return out
}

// upload shares files in the thread of message ts in one message. It is
// slack-go's UploadFileContext (files.getUploadURLExternal, a POST of the
// content to the returned URL, files.completeUploadExternal) with a single
// completion for all the files, so that they arrive together.
// https://docs.slack.dev/messaging/working-with-files#upload
func (c *Client) upload(ctx context.Context, channel, ts string, files []upload) error {
	if len(files) == 0 {
		return nil
	}
	var done []slack.FileSummary
	for _, f := range files {
		u, err := c.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{
			FileName: f.name, FileSize: len(f.data), AltTxt: f.alt,
		})
		if err != nil {
			return fmt.Errorf("upload %s: %w", f.name, classify(err))
		}
		err = c.api.UploadToURL(ctx, slack.UploadToURLParameters{
			UploadURL: u.UploadURL, Filename: f.name, Reader: bytes.NewReader(f.data),
		})
		if err != nil {
			return fmt.Errorf("upload %s: %w", f.name, classify(err))
		}
		done = append(done, slack.FileSummary{ID: u.FileID, Title: f.title})
	}
	_, err := c.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
		Files: done, Channel: channel, ThreadTimestamp: ts,
	})
	if err != nil {
		return fmt.Errorf("share %d files: %w", len(done), classify(err))
	}
	return nil
}

// renderReport renders the monthly report's summary: a header, the headline
// figures with their change, the sections as bulleted lists, and a note that
// the charts and the full report follow in the thread. The summary's strings
// come from koban's own statistics, but topics are derived from questions,
// so everything is escaped.
func renderReport(lang string, s metrics.Summary) message {
	title := s.Title
	if title == "" {
		title = say(lang, "report.title", "Month", s.Month)
	}
	blocks := []slack.Block{slack.NewHeaderBlock(plain(truncate(title, maxHeaderText)))}

	var fields []*slack.TextBlockObject
	for _, f := range s.Figures {
		t := "*" + escape(f.Label) + "*\n" + escape(orDash(f.Value))
		if f.Change != "" {
			t += "\n_" + escape(f.Change) + "_"
		}
		fields = append(fields, mrkdwn(truncate(t, maxFieldText)))
	}
	for len(fields) > 0 {
		n := min(len(fields), maxSectionFields)
		blocks = append(blocks, slack.NewSectionBlock(nil, fields[:n], nil))
		fields = fields[n:]
	}

	if len(s.Sections) > 0 {
		blocks = append(blocks, slack.NewDividerBlock())
	}
	for _, sec := range s.Sections {
		if len(blocks) >= maxBlocks-1 { // keep room for the context line
			break
		}
		body := say(lang, "home.none")
		if len(sec.Lines) > 0 {
			lines := make([]string, len(sec.Lines))
			for i, l := range sec.Lines {
				lines[i] = "• " + escape(oneLine(l))
			}
			body = strings.Join(lines, "\n")
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate("*"+escape(sec.Title)+"*\n"+body, 2900)), nil, nil))
	}

	var attached []string
	if n := countCharts(s); n > 0 {
		attached = append(attached, sayN(lang, "summary.attached_chart", n))
	}
	if len(s.File) > 0 {
		attached = append(attached, say(lang, "summary.attached_file"))
	}
	if len(attached) > 0 {
		what := strings.Join(attached, say(lang, "summary.and"))
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(say(lang, "summary.attached", "What", what))))
	}

	text := s.Text
	if text == "" {
		text = title
	}
	return message{Text: escape(oneLine(text)), Blocks: blocks}
}

func countCharts(s metrics.Summary) int {
	n := 0
	for _, c := range s.Charts {
		if len(c.Data) > 0 {
			n++
		}
	}
	return n
}
