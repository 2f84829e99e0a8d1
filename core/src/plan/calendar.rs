//! Release calendars: windows and freezes in local time (IANA time zones), resolved to UTC.
