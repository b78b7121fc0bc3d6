package main

import (
	"github.com/kobanhq/koban/authz"
	"github.com/kobanhq/koban/oncall"
	"github.com/kobanhq/koban/web"
)

// wireAccess builds who-may-do-what from the configuration: the rotation
// members are responders with the responders user group; the admins are
// slack.admins and the web UI's identity (its shared token acts as an
// admin). User groups are read in Slack (groups is nil without Slack).
func wireAccess(a *app, rots []*oncall.Rotation, groups authz.Groups) *authz.Policy {
	members := map[string][]string{}
	for _, r := range rots {
		members[r.Name] = r.Members
	}
	admins := append([]string{}, a.cfg.Slack.Admins...)
	if a.cfg.Web.Actor != "" {
		admins = append(admins, a.cfg.Web.Actor)
	}
	return authz.New(authz.Config{Admins: admins, RespondersGroup: a.cfg.Slack.RespondersGroup, Rotations: members}, groups, a.log)
}

// webOIDC returns the web UI's Sign in with Slack, or nil when off.
func webOIDC(a *app) *web.OIDC {
	o := a.cfg.Web.OIDC
	if o.ClientID == "" {
		return nil
	}
	return &web.OIDC{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL, Team: o.Team}
}
