package webhook

// DriveLoad is the ingest harness, for the benchmarks in package
// webhook_test that measure what runs beside the listener (the recipe runner).
var DriveLoad = driveLoad
