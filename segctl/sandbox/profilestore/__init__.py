"""Sample profiles and events on disk and in memory, and the evaluation of segments over them
(shared by jobs, exports and previews)."""
