// Package sandbox is a local, in-memory stand-in for the Iterable API: the
// same paths, validation, error bodies and rate limits, and the system
// webhooks Iterable would send. Tests, the demo and new users run against it.
//
// Every error carries one of Iterable's IterableApiResponse codes, with the
// status Iterable answers it with (errorStatus). The endpoints served, the
// Iterable operation (operationId) each follows, and where the sandbox
// knowingly departs from it:
//
//	Endpoint                              operationId           Departure, and why
//	POST /api/lists/subscribe             subscribe             an unknown listId is 400 BadParams: Iterable does not say
//	POST /api/users/bulkUpdate            bulkUpdateUser        -
//	GET  /api/lists                       getLists              -
//	POST /api/lists                       create                -
//	GET  /api/users/getByEmail?email=     getUser               -
//	GET  /api/users/{email}               getUser               -
//	GET  /api/users/byUserId?userId=      getUserById           -
//	GET  /api/users/byUserId/{userId}     getUserById           -
//	GET  /api/events/{email}              User events           only events tracked here (not system events); an event's
//	                                                            shape is undocumented: id, eventName, eventType
//	                                                            customEvent, createdAt, email, userId, dataFields,
//	                                                            campaignId, templateId
//	GET  /api/events/byUserId/{userId}    User events by userId as GET /api/events/{email}
//	GET  /api/campaigns                   campaigns             seeded and read-only; a page, pageSize, sort or
//	                                                            campaignState it cannot read is 400 BadParams, a status
//	                                                            the operation does not list, rather than a guess
//	GET  /api/channels                    channels              -
//	POST /api/sms/target                  target                an unknown recipient is 400 UnknownEmailError or
//	                                                            UnknownUserIdError, a campaignId that is not one of
//	                                                            the project's SMS campaigns 400 BadParams: Iterable
//	                                                            does not say which code
//	POST /api/events/track                track                 email and userId of two users is 409 ExternalKeyConflict
//	                                                            as on users/update; the operation lists no 409
//	POST /api/users/updateSubscriptions   updateSubscriptions   an unknown list id is 400 BadParams
//	POST /api/users/update                updateUser            a user made from a userId alone gets
//	                                                            <userId>@placeholder.email, as hybrid projects do
//	GET  /api/users/getFields             getUserFields         no rate limit (Iterable's is 3/s) so forms may reload it
//	GET  /api/messageTypes                messageTypes          -
//	GET  /api/journeys                    getJourneys           state takes only Archived, the one state Iterable names
//	GET  /api/webhooks                    getWebhooks           one system webhook, id 1
//	POST /api/webhooks                    updateWebhook         an unknown id is 400 BadParams
//
// Every endpoint with a published rate limit (client.PublishedLimits) answers
// 429 RateLimitExceeded above it, though most operations list no 429.
// Any other path is 404 NotFound.
package sandbox
