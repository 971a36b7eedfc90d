/* Command-line helpers shared by omc, omrun and omdump: option matching in the spellings
 * users bring from ATC and msame (`--opt VALUE`, `--opt=VALUE`, short `-o VALUE`), integer
 * parsing with range checks, and the one-line error format `<tool>: error: <message>`.
 *
 * Exit codes used by all three tools: 0 success, 1 model / file / run error, 2 usage error.
 */
#ifndef OM_TOOLS_CLI_H
#define OM_TOOLS_CLI_H

#include <stdbool.h>
#include <stdint.h>

#define OM_CLI_EXIT_OK 0
#define OM_CLI_EXIT_FAIL 1
#define OM_CLI_EXIT_USAGE 2

/* Set once by main; used as the prefix of messages. */
extern const char *om_cli_tool;

/* Prints "<tool>: error: <message>\n" to stderr. */
void om_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "<tool>: note: <message>\n" to stderr. */
void om_cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Matches argv[*i] against an option taking a value: `name VALUE` or `name=VALUE` (name
 * includes its dashes, e.g. "--output" or "-o"). Returns 1 and sets *value (advancing *i
 * past a separate value), 0 when argv[*i] is another option, or -1 after printing a usage
 * error when the value is missing. */
int om_cli_value(int argc, char **argv, int *i, const char *name, const char **value);
/* Matches a flag without a value exactly. */
bool om_cli_flag(const char *arg, const char *name);

/* Parses a decimal integer in [min, max]; false (nothing printed) on any junk. */
bool om_cli_parse_int(const char *s, long long min, long long max, long long *out);

#endif
