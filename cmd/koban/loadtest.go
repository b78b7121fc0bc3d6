package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/kobanhq/koban"
)

// loadtestFlags declares the flags of koban loadtest and returns what runs it.
// koban loadtest posts signed Slack message events to a running koban and
// reports how fast it acknowledges them.
func loadtestFlags(fs *flag.FlagSet, a *app) runner {
	url := fs.String("url", "http://127.0.0.1:8080", "base URL of the koban to test (events go to URL/slack/events)")
	secret := fs.String("secret", "", "Slack signing secret koban verifies with (default $SLACK_SIGNING_SECRET)")
	events := fs.Int("events", 1000, "how many message events to send")
	rate := fs.Int("rate", 50, "events per second")
	channel := fs.String("channel", "", "channel ID koban listens to in mode all (default the first configured one)")
	return func(ctx context.Context, _ []string) error {
		if *secret == "" {
			*secret = a.cfg.Slack.SigningSecret
		}
		if *secret == "" {
			return koban.Errorf(koban.EInvalid, "loadtest needs the signing secret: --secret or SLACK_SIGNING_SECRET")
		}
		if *channel == "" && len(a.cfg.Slack.Channels) > 0 {
			*channel = a.cfg.Slack.Channels[0].ID
		}
		if *channel == "" {
			return koban.Errorf(koban.EInvalid, "loadtest needs a channel koban listens to: --channel C… or slack.channels in koban.yaml")
		}
		fmt.Fprintf(a.stdout, "posting %d events at %d/s to %s/slack/events (channel %s)\n", *events, *rate, strings.TrimRight(*url, "/"), *channel)
		res, err := loadTest(ctx, loadOptions{
			URL: strings.TrimRight(*url, "/"), Secret: *secret, Events: *events, Rate: *rate, Channel: *channel,
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, res)
		for _, e := range res.Errors {
			fmt.Fprintln(a.stdout, "  failure:", e)
		}
		if res.Failed > 0 {
			return fmt.Errorf("%d of %d events failed", res.Failed, res.Sent)
		}
		return nil
	}
}
