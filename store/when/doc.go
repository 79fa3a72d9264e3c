// Package when parses the loose date phrases a sales rep types into rolo:
// follow-up due dates, the "--at" time of a logged call, and snooze-until
// values.
//
// Parsing is case-insensitive and tolerant of extra whitespace and commas.
// Every phrase is interpreted relative to a caller-supplied "now" and in
// now's location; calendar arithmetic is done with time.Date so that
// daylight-saving changes never shift a wall-clock time.
//
// A phrase is one of:
//
//   - an exact moment: "now", an ISO 8601 / RFC 3339 date-time, or an
//     hour/minute offset such as "in 90m" or "2 hours ago";
//   - a day phrase such as "tomorrow", "fri", "next monday", "in 3d",
//     "end of month", "dec 5" or "2026-12-01";
//   - a time of day such as "3pm", "15:00", "15h" or "noon";
//   - a day phrase and a time of day in either order, e.g. "fri at 9am"
//     or "3pm tomorrow".
//
// A time of day alone means today if that time is still ahead, otherwise
// tomorrow. A bare "3h" is a time of day (03:00, as in "15h"); write "in 3h"
// or "+3h" for an offset. Period words without "end of" ("next week",
// "this month") mean the first day of the period. Slash dates such as
// "5/12" are rejected because they are ambiguous between US and European
// order.
package when
