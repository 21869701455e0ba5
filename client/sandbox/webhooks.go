package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/iwb-dev/iwb/client"
)

// webhookConfig is the project's one system webhook with its secrets.
type webhookConfig struct {
	client.Webhook
	authToken string
	headers   []client.Header
}

// delivery is one POST of a webhook body.
type delivery struct {
	url    string
	header http.Header
	body   []byte
}

// SetWebhook points the system webhook at url and enables it, as
// POST /api/webhooks would.
func (s *Sandbox) SetWebhook(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook.Endpoint = url
	s.webhook.Enabled = true
	s.webhook.BlastSendEnabled = true
	s.webhook.TriggeredSendEnabled = true
}

func (s *Sandbox) getWebhooks(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	wh := s.webhook.Webhook
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, client.WebhooksResponse{Webhooks: []client.Webhook{wh}})
}

func (s *Sandbox) postWebhook(w http.ResponseWriter, r *http.Request) {
	var req client.WebhookUpdate
	if !readBody(w, r, &req) {
		return
	}
	if req.ID == 0 {
		badParams(w, "id is required")
		return
	}
	if req.AuthType != nil && *req.AuthType != "NoAuth" && *req.AuthType != "Basic" && *req.AuthType != "OAuth2" {
		badParams(w, "authType must be NoAuth, Basic or OAuth2")
		return
	}
	if req.Endpoint != nil && *req.Endpoint != "" && !strings.HasPrefix(*req.Endpoint, "http://") && !strings.HasPrefix(*req.Endpoint, "https://") {
		badParams(w, "endpoint must be an http(s) URL")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.ID != s.webhook.ID {
		badParams(w, fmt.Sprintf("No webhook with id %d", req.ID))
		return
	}
	wh := &s.webhook
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	if req.Endpoint != nil {
		wh.Endpoint = *req.Endpoint
	}
	if req.AuthType != nil {
		wh.AuthType = *req.AuthType
	}
	if req.AuthToken != nil {
		wh.authToken = *req.AuthToken
	}
	if req.Headers != nil {
		wh.headers = req.Headers
	}
	set(&wh.Enabled, req.Enabled)
	set(&wh.BlastSendEnabled, req.BlastSendEnabled)
	set(&wh.TriggeredSendEnabled, req.TriggeredSendEnabled)
	writeJSON(w, http.StatusOK, wh.Webhook)
}

// queue sends an event to the system webhook when it is enabled, without
// blocking the API answer; when the queue is full the event is dropped, as
// Iterable's delivery is not guaranteed either. The caller holds s.mu.
func (s *Sandbox) queue(event map[string]any) {
	wh := s.webhook
	if !wh.Enabled || wh.Endpoint == "" {
		return
	}
	body := eventJSON(event)
	header := http.Header{"Content-Type": {"application/json"}, "User-Agent": {"Iterable-Sandbox"}}
	switch wh.AuthType {
	case "Basic":
		header.Set("Authorization", wh.authToken)
	case "OAuth2":
		header.Set("Authorization", "OAuth2 "+wh.authToken)
	}
	for _, h := range wh.headers {
		header.Set(h.Key, h.Value)
	}
	d := delivery{url: expandMergeParams(wh.Endpoint, event), header: header, body: body}
	select {
	case s.deliveries <- d:
	default:
		s.log.Warn("sandbox: webhook queue full, event dropped", "eventName", event["eventName"])
	}
}

// deliverLoop POSTs queued webhooks one at a time, in order, until Close.
func (s *Sandbox) deliverLoop() {
	defer close(s.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-s.stop
		cancel()
	}()
	for {
		select {
		case <-s.stop:
			return
		case d := <-s.deliveries:
			if err := post(ctx, s.http, d); err != nil {
				s.log.Info("sandbox: webhook delivery failed", "error", err)
			}
		}
	}
}

func post(ctx context.Context, c *http.Client, d delivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		return err
	}
	req.Header = d.header.Clone()
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("POST %s: HTTP %d", d.url, resp.StatusCode)
	}
	return nil
}

// mergeParams are the placeholders Iterable fills in a webhook URL, blank when undefined.
var mergeParams = []string{"campaignId", "campaignName", "templateId", "templateName", "channelId",
	"workflowId", "workflowName", "experimentId", "messageTypeId"}

func expandMergeParams(url string, event map[string]any) string {
	if !strings.Contains(url, "{{") {
		return url
	}
	fields, _ := event["dataFields"].(map[string]any)
	var pairs []string
	for _, p := range mergeParams {
		v := ""
		if x, ok := fields[p]; ok && x != nil {
			v = fmt.Sprint(x)
		}
		pairs = append(pairs, "{{"+p+"}}", v)
	}
	return strings.NewReplacer(pairs...).Replace(url)
}

// person is who an event is about.
type person struct {
	email, userID, phone string
}

func (u *user) person() person {
	phone, _ := u.dataFields["phoneNumber"].(string)
	return person{email: u.email, userID: u.userID, phone: phone}
}

// systemEvent is a system webhook body as Iterable sends it:
// {"email","userId"?,"eventName","dataFields":{...}}.
func systemEvent(name string, p person, c *campaign, j *client.Journey, now time.Time, extra map[string]any) map[string]any {
	fields := map[string]any{"email": p.email, "createdAt": formatTime(now)}
	if c != nil {
		fields["campaignId"] = c.ID
		fields["campaignName"] = c.Name
		fields["templateId"] = c.TemplateID
		fields["templateName"] = c.TemplateName
		fields["channelId"] = c.ChannelID
		fields["messageTypeId"] = c.MessageTypeID
		fields["emailId"] = fmt.Sprintf("c%d:t%d:%s", c.ID, c.TemplateID, p.email)
		fields["messageId"] = NewKey()
		fields["experimentId"] = nil
		fields["locale"] = nil
		fields["labels"] = []string{}
		fields["workflowId"] = nil
		fields["workflowName"] = nil
		if j != nil {
			fields["workflowId"] = j.ID
			fields["workflowName"] = j.Name
		}
	}
	for k, v := range extra {
		fields[k] = v
	}
	body := map[string]any{"email": p.email, "eventName": name, "dataFields": fields}
	if p.userID != "" {
		body["userId"] = p.userID
	}
	return body
}

// smsSendEvent is what Send SMS makes Iterable post. The caller holds s.mu.
func (s *Sandbox) smsSendEvent(u *user, campaignID int64) map[string]any {
	c := campaigns["sms"]
	c.ID = campaignID
	p := u.person()
	return systemEvent("smsSend", p, &c, nil, time.Now(), map[string]any{
		"toPhoneNumber": p.phone, "fromPhoneNumberId": 258, "smsMessage": "Hi from the sandbox",
		"contentId": 2086, "imageUrl": nil,
	})
}

// queueSubscription posts emailSubscribe or emailUnSubscribe. The caller holds s.mu.
func (s *Sandbox) queueSubscription(name string, u *user, listIDs, channelIDs []int64) {
	extra := map[string]any{
		"emailListIds":     orEmpty(listIDs),
		"channelIds":       orEmpty(channelIDs),
		"messageTypeIds":   []int64{},
		"profileUpdatedAt": formatTime(u.updatedAt),
		"signupSource":     "API",
	}
	if name == "emailUnSubscribe" {
		extra["unsubSource"] = "API"
	}
	s.queue(systemEvent(name, u.person(), nil, nil, time.Now(), extra))
}

func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
