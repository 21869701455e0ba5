package actions

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/huh/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/oneline"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui/style"
)

// Users of a bulk action come typed in the form or from a file.
const (
	usersTyped = "typed"
	usersFile  = "file"
)

// Tri-state for createNewFields: the spec's default is the project's setting.
const (
	projectSetting = "project"
	yesValue       = "yes"
	noValue        = "no"
)

// formValues are every field any action's form can hold; huh writes into
// them and the body is built from them, so a form reopened after an error or
// from the history starts from the same values.
type formValues struct {
	email, userID                 string
	listID                        string // typed, or the chosen list's id
	name, description             string
	eventName, eventID, createdAt string
	campaignID, templateID        string
	campaignPick                  string // Send SMS: a campaign of the account, or "" to type campaignID
	sendAt                        string
	createNewFields               string // projectSetting, yesValue or noValue
	mergeNested, preferUserID     bool
	updateExistingOnly            bool
	allowRepeat                   bool // spec default true
	validateAlignment             bool // spec default true
	emailLists, unsubChannels     []int64
	unsubTypes, subTypes          []int64
	emailListsText                string // typed ids when a pick list failed to load
	unsubChannelsText             string
	unsubTypesText, subTypesText  string
	requested                     bool // the sets are a request's (a run again), not yet the user's as read
	usersFrom                     string
	usersText, filePath           string
	fields                        []schema.DataField
}

func newFormValues() *formValues {
	return &formValues{createNewFields: projectSetting, allowRepeat: true, validateAlignment: true, usersFrom: usersTyped}
}

// input is a copy of the values to tell user input from what the form was
// opened with: slices are copied, and an empty one is nil, since a pick
// list may hold either when nothing is chosen.
func (v *formValues) input() formValues {
	c := *v
	c.emailLists, c.unsubChannels = copyOrNil(v.emailLists), copyOrNil(v.unsubChannels)
	c.unsubTypes, c.subTypes = copyOrNil(v.unsubTypes), copyOrNil(v.subTypes)
	c.fields = copyOrNil(v.fields)
	return c
}

func copyOrNil[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// takesDataFields says whether the action's body carries dataFields.
func takesDataFields(a client.Action) bool {
	switch a.Name {
	case "upsert-user", "add-subscribers", "bulk-upsert-users", "track-event", "send-sms":
		return true
	}
	return false
}

// userFieldsAction says whether the action's dataFields are user profile
// fields, typed by the project's getFields (events and SMS merge fields are not).
func userFieldsAction(a client.Action) bool {
	switch a.Name {
	case "upsert-user", "add-subscribers", "bulk-upsert-users":
		return true
	}
	return false
}

// needsPicks says whether opening the action loads the account's pick lists
// (Get user by email names the lists in the profile and edits it typed).
func needsPicks(a client.Action) bool {
	return takesDataFields(a) || a.Name == "update-subscription" || a.Name == "get-user"
}

// hasForm says whether the action asks for anything before the review.
func hasForm(a client.Action) bool {
	return a.Name != "list-channels" && a.Name != "list-lists"
}

// Validation of what the user types, one clear line each.
func required(what string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(what + " is required")
		}
		return nil
	}
}

func optionalInt(what string) func(string) error {
	return func(s string) error {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return fmt.Errorf("%s takes a whole number, like 73003", what)
		}
		return nil
	}
}

func requiredInt(what string) func(string) error {
	return func(s string) error {
		if err := required(what)(s); err != nil {
			return err
		}
		return optionalInt(what)(s)
	}
}

func validateEmail(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if i := strings.IndexByte(s, '@'); i <= 0 || i == len(s)-1 || strings.ContainsAny(s, " \t") {
		return fmt.Errorf("%q is not an email address", s)
	}
	return nil
}

func validateIDList(s string) error {
	_, err := parseIDs(s)
	return err
}

func parseIDs(s string) ([]int64, error) {
	var out []int64
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an id; type ids separated by commas, like 2001, 2002", part)
		}
		out = append(out, n)
	}
	return out, nil
}

func validateSendAt(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	at, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		return errors.New("type the time as yyyy-MM-dd HH:mm:ss (UTC), or leave it empty to send now")
	}
	if at.After(time.Now().AddDate(0, 0, 365)) {
		return errors.New("Iterable schedules at most 365 days ahead")
	}
	return nil
}

// validateUsersFile checks the name only: reading the file is I/O, done
// in a command when the review counts its users.
func validateUsersFile(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return errors.New("type the path of a .jsonl or .csv file")
	}
	switch strings.ToLower(filepath.Ext(s)) {
	case ".jsonl", ".ndjson", ".csv":
		return nil
	}
	return errors.New("the file must end in .jsonl or .csv")
}

// identityFields are the email and userId inputs: one of them, never both.
func identityFields(v *formValues, emailTitle, idTitle string, fieldErrs map[string]string, emailKey, idKey string) []huh.Field {
	eitherOr := func(string) error {
		e, u := strings.TrimSpace(v.email), strings.TrimSpace(v.userID)
		switch {
		case e == "" && u == "":
			return errors.New("give an email or a userId")
		case e != "" && u != "":
			return errors.New("give an email or a userId, not both")
		}
		return nil
	}
	return []huh.Field{
		huh.NewInput().Title(emailTitle).Description(withErr("email-based projects identify users by email", fieldErrs[emailKey])).
			Value(&v.email).Validate(validateEmail),
		huh.NewInput().Title(idTitle).Description(withErr("or a userId (userID-based and hybrid projects); leave one empty", fieldErrs[idKey])).
			Value(&v.userID).Validate(eitherOr),
	}
}

// withErr appends Iterable's message about a field to its description.
func withErr(desc, err string) string {
	if err == "" {
		return desc
	}
	return desc + "\n✗ " + err
}

func toggle(title, desc string, val *bool) *huh.Confirm {
	def := "no"
	if *val {
		def = "yes"
	}
	return huh.NewConfirm().Title(title).Description(desc + " (spec default: " + def + ")").
		Affirmative("yes").Negative("no").Value(val)
}

func createNewFieldsSelect(v *formValues) huh.Field {
	return huh.NewSelect[string]().Title("Create new fields").
		Description("add fields the project lacks (spec default: the project's setting)").
		Options(huh.NewOption("project setting", projectSetting), huh.NewOption("yes", yesValue), huh.NewOption("no", noValue)).
		Value(&v.createNewFields)
}

// idPicker is a multi-select over the account's items, or a typed list of
// ids when the pick list could not be loaded. Chosen ids the account lacks
// stay chosen, marked, and check refuses them.
func idPicker(title, desc string, opts []huh.Option[int64], loadErr error, chosen *[]int64, typed *string, check func([]int64) error) huh.Field {
	if loadErr != nil {
		return huh.NewInput().Title(title).Description(desc + "\n⚠ the list could not be loaded (" + oneline.Of(loadErr.Error(), 80) + "): type ids, comma separated").
			Value(typed).Validate(validateIDList)
	}
	for _, id := range *chosen {
		if !slices.ContainsFunc(opts, func(o huh.Option[int64]) bool { return o.Value == id }) {
			opts = append(opts, huh.NewOption(fmt.Sprintf("%d · not in the account", id), id))
		}
	}
	for i := range opts {
		opts[i] = opts[i].Selected(slices.Contains(*chosen, opts[i].Value))
	}
	// huh's multi-select takes its height from its options alone unless
	// told, and then hides them under its title: the title and the
	// one-line description are counted in.
	return huh.NewMultiSelect[int64]().Title(title).Description(desc).Options(opts...).Value(chosen).
		Validate(check).Height(min(len(opts), 8) + 2)
}

// buildForm is a fresh huh form for the action, on values v, with the
// account's pick lists and Iterable's messages about fields (fieldErrs).
func buildForm(a client.Action, v *formValues, picks *pickData, subs *subscriptions, fieldErrs map[string]string) *huh.Form {
	var groups []*huh.Group
	add := func(fields ...huh.Field) { groups = append(groups, huh.NewGroup(fields...)) }
	switch a.Name {
	case "upsert-user":
		add(append(identityFields(v, "Email", "User ID", fieldErrs, "email", "userId"),
			toggle("Merge nested objects", "merge top-level objects instead of overwriting them", &v.mergeNested),
			toggle("Prefer userId", "create a new user for an unknown userId", &v.preferUserID),
			createNewFieldsSelect(v))...)
	case "add-subscribers", "bulk-upsert-users":
		var first []huh.Field
		if a.Name == "add-subscribers" {
			first = append(first, listPicker(v, picks, fieldErrs["listId"]))
		}
		first = append(first, huh.NewSelect[string]().Title("Users from").
			Options(huh.NewOption("typed here", usersTyped), huh.NewOption("a .jsonl or .csv file", usersFile)).Value(&v.usersFrom))
		if a.Name == "add-subscribers" {
			first = append(first, toggle("Update existing users only", "skip users the project lacks (userID-based and hybrid projects)", &v.updateExistingOnly))
		} else {
			first = append(first, createNewFieldsSelect(v))
		}
		add(first...)
		groups = append(groups,
			huh.NewGroup(huh.NewText().Title("Users").
				Description(withErr("one per line: an email, or a userId; the data fields come next and apply to each", fieldErrs[a.UsersField])).
				Value(&v.usersText).Validate(validateTypedUsers).Lines(5)).
				WithHideFunc(func() bool { return v.usersFrom != usersTyped }),
			huh.NewGroup(huh.NewInput().Title("File").
				Description(withErr("JSON Lines (one user object per line) or CSV (a header row; email, userId and data field columns)", fieldErrs["file"])).
				Value(&v.filePath).Validate(validateUsersFile)).
				WithHideFunc(func() bool { return v.usersFrom != usersFile }))
	case "create-list":
		add(huh.NewInput().Title("Name *").Description(withErr("the new static list's name", fieldErrs["name"])).Value(&v.name).Validate(required("a name")),
			huh.NewInput().Title("Description").Value(&v.description))
	case "get-user":
		add(huh.NewInput().Title("Email *").Description(withErr("the user's email", fieldErrs["email"])).Value(&v.email).
			Validate(func(s string) error {
				if err := required("an email")(s); err != nil {
					return err
				}
				return validateEmail(s)
			}))
	case "send-sms":
		add(append(campaignPicker(v, picks, fieldErrs["campaignId"]),
			append(identityFields(v, "Recipient email", "Recipient user ID", fieldErrs, "recipientEmail", "recipientUserId"),
				huh.NewInput().Title("Send at").Description(withErr("yyyy-MM-dd HH:mm:ss UTC, at most 365 days ahead; empty sends now", fieldErrs["sendAt"])).
					Value(&v.sendAt).Validate(validateSendAt),
				toggle("Allow repeat marketing sends", "send even if the user already got this campaign", &v.allowRepeat))...)...)
	case "track-event":
		add(append([]huh.Field{huh.NewInput().Title("Event name *").Description(withErr("e.g. purchase", fieldErrs["eventName"])).
			Value(&v.eventName).Validate(required("an event name"))},
			append(identityFields(v, "Email", "User ID", fieldErrs, "email", "userId"),
				huh.NewInput().Title("Event id").Description("optional; the same id updates the event (at most 512 bytes)").Value(&v.eventID).
					Validate(func(s string) error {
						if len(s) > 512 {
							return errors.New("an event id is at most 512 bytes")
						}
						return nil
					}),
				huh.NewInput().Title("Created at").Description("epoch seconds, a date or a date-time (UTC); empty means now").Value(&v.createdAt).
					Validate(func(s string) error { _, err := parseCreatedAt(s); return err }),
				huh.NewInput().Title("Campaign ID").Value(&v.campaignID).Validate(optionalInt("the campaign id")),
				huh.NewInput().Title("Template ID").Value(&v.templateID).Validate(optionalInt("the template id")),
				createNewFieldsSelect(v))...)...)
	case "update-subscription":
		var lists, channels, types []huh.Option[int64]
		for _, l := range picks.lists {
			lists = append(lists, huh.NewOption(picks.label(setLists, l.ID), l.ID))
		}
		for _, c := range picks.channels {
			channels = append(channels, huh.NewOption(picks.label(setUnsubChannels, c.ID), c.ID))
		}
		for _, t := range picks.messageTypes {
			types = append(types, huh.NewOption(picks.typeLabel(t), t.ID))
		}
		add(identityFields(v, "Email", "User ID", fieldErrs, "email", "userId")...)
		// The sets show once the user's own are read for the user given:
		// until then the form ends after the user.
		unread := func() bool { return !subs.readFor(v) }
		desc := [setCount]string{"the user's lists", "no messages on these", "opted out of these", "opted in to these"}
		if !subs.known() {
			for i := range desc {
				desc[i] += " · none chosen: left as is"
			}
		}
		check := [setCount]func([]int64) error{picks.checkLists, picks.checkChannels, picks.checkTypes,
			func(sub []int64) error { return errors.Join(picks.checkTypes(sub), bothWays(v.unsubTypes, sub, picks)) }}
		opts := [setCount][]huh.Option[int64]{lists, channels, types, slices.Clone(types)}
		loadErrs := [setCount]error{picks.listsErr, picks.channelsErr, picks.typesErr, picks.typesErr}
		var pickers [setCount]huh.Field
		for i, set := range v.subSets() {
			pickers[i] = idPicker(setTitles[i], desc[i], opts[i], loadErrs[i], set.chosen, set.typed, check[i])
		}
		groups = append(groups,
			huh.NewGroup(pickers[setLists], pickers[setUnsubChannels]).WithHideFunc(unread),
			huh.NewGroup(pickers[setUnsubTypes], pickers[setSubTypes]).WithHideFunc(unread),
			huh.NewGroup(huh.NewInput().Title("Campaign ID").Value(&v.campaignID).Validate(optionalInt("the campaign id")),
				huh.NewInput().Title("Template ID").Value(&v.templateID).Validate(optionalInt("the template id")),
				toggle("Validate channel alignment", "refuse message types of unsubscribed channels", &v.validateAlignment)).WithHideFunc(unread))
	}
	return huh.NewForm(groups...).WithShowHelp(false)
}

// campaignPicker offers the account's SMS campaigns, and an id typed for
// one it does not list (or when the campaigns could not be read).
func campaignPicker(v *formValues, picks *pickData, fieldErr string) []huh.Field {
	var opts []huh.Option[string]
	for _, c := range picks.campaigns {
		if c.MessageMedium == "SMS" {
			opts = append(opts, huh.NewOption(fmt.Sprintf("%s (%d) · %s", termtext.Line(c.Name), c.ID, termtext.Line(c.CampaignState)), strconv.FormatInt(c.ID, 10)))
		}
	}
	typed := huh.NewInput().Title("Campaign ID *").Value(&v.campaignID).Validate(func(s string) error {
		if v.campaignPick != "" {
			return nil
		}
		return requiredInt("the campaign id")(s)
	})
	if len(opts) == 0 {
		desc := "the SMS campaign to send"
		if picks.campaignsErr != nil {
			desc += "\n⚠ the campaigns could not be loaded (" + oneline.Of(picks.campaignsErr.Error(), 80) + "): type the id"
		}
		v.campaignPick = ""
		return []huh.Field{typed.Description(withErr(desc, fieldErr))}
	}
	if v.campaignID != "" && slices.ContainsFunc(opts, func(o huh.Option[string]) bool { return o.Value == strings.TrimSpace(v.campaignID) }) {
		v.campaignPick = strings.TrimSpace(v.campaignID)
	} else if v.campaignID == "" && v.campaignPick == "" {
		v.campaignPick = opts[0].Value
	}
	opts = append(opts, huh.NewOption("another id (type it)", ""))
	return []huh.Field{
		huh.NewSelect[string]().Title("Campaign *").Description(withErr("the account's SMS campaigns", fieldErr)).Options(opts...).Value(&v.campaignPick),
		typed.Title("Other campaign ID").Description("only with \"another id\" above: an SMS campaign the list does not show"),
	}
}

// listPicker chooses the list of Add subscribers, or takes its id typed when
// the lists could not be loaded. A list id the form opens on is kept even
// when the account lacks it, and refused there, rather than silently
// replaced by another list.
func listPicker(v *formValues, picks *pickData, fieldErr string) huh.Field {
	check := func(s string) error {
		if err := requiredInt("the list id")(s); err != nil {
			return err
		}
		return picks.checkList(s)
	}
	if picks.listsErr != nil || len(picks.lists) == 0 {
		desc := "the static list's id"
		if picks.listsErr != nil {
			desc += "\n⚠ the lists could not be loaded (" + oneline.Of(picks.listsErr.Error(), 80) + "): type the id"
		} else {
			desc += " · the account has no lists yet: make one with Create list"
		}
		return huh.NewInput().Title("List ID *").Description(withErr(desc, fieldErr)).Value(&v.listID).Validate(check)
	}
	opts := make([]huh.Option[string], len(picks.lists))
	for i, l := range picks.lists {
		opts[i] = huh.NewOption(picks.label(setLists, l.ID), strconv.FormatInt(l.ID, 10))
	}
	switch {
	case v.listID == "":
		v.listID = opts[0].Value
	case picks.checkList(v.listID) != nil:
		opts = append(opts, huh.NewOption(strings.TrimSpace(v.listID)+" · not in the account", v.listID))
	}
	return huh.NewSelect[string]().Title("List *").Description(withErr("the static list to add them to", fieldErr)).
		Options(opts...).Value(&v.listID).Validate(check)
}

// typedUsers reads the typed users: one per line, an email when it has an @.
func typedUsers(text string) []client.OptionalApiUser {
	var out []client.OptionalApiUser
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.Contains(line, "@"):
			out = append(out, client.OptionalApiUser{Email: line})
		default:
			out = append(out, client.OptionalApiUser{UserID: line})
		}
	}
	return out
}

func validateTypedUsers(text string) error {
	users := typedUsers(text)
	if len(users) == 0 {
		return errors.New("type at least one user: an email or a userId per line")
	}
	for i, u := range users {
		if u.Email != "" {
			if err := validateEmail(u.Email); err != nil {
				return fmt.Errorf("line %d: %w", i+1, err)
			}
		}
	}
	return nil
}

// sized sizes and themes a fresh form for its pane.
func sized(f *huh.Form, th style.Theme, w, h int) *huh.Form {
	// Three lines stay free under the fields for huh's validation errors,
	// which it draws below its height.
	return f.WithTheme(style.FormTheme(th)).WithWidth(max(w, 20)).WithHeight(max(h-3, 5))
}
