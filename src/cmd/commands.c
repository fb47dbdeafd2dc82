/* The command table: name -> spec and function, as git.c lists its
 * builtins. main.c dispatches on it; completion and man pages read it. */
#include "cmd/cmd.h"

const struct command commands[] = {
	{ &cmd_check_spec, cmd_check },
	{ &cmd_list_checks_spec, cmd_list_checks },
	{ &cmd_buildinfo_spec, cmd_buildinfo },
	{ &cmd_tcp_census_spec, cmd_tcp_census },
	{ &cmd_goroutines_spec, cmd_goroutines },
	{ &cmd_contention_spec, cmd_contention },
	{ &cmd_watch_spec, cmd_watch },
	{ &cmd_run_spec, cmd_run },
	{ &cmd_item_spec, cmd_item },
	{ &cmd_status_spec, cmd_status },
	{ &cmd_runs_spec, cmd_runs },
	{ &cmd_report_spec, cmd_report },
	{ &cmd_notify_spec, cmd_notify },
	{ &cmd_followup_spec, cmd_followup },
	{ &cmd_close_spec, cmd_close },
	{ &cmd_serve_spec, cmd_serve },
	{ &cmd_completion_spec, cmd_completion },
	{ &cmd_manpage_spec, cmd_manpage },
	{ NULL, NULL },
};

const struct command_spec *const command_specs[] = {
	&cmd_check_spec,
	&cmd_list_checks_spec,
	&cmd_buildinfo_spec,
	&cmd_tcp_census_spec,
	&cmd_goroutines_spec,
	&cmd_contention_spec,
	&cmd_watch_spec,
	&cmd_run_spec,
	&cmd_item_spec,
	&cmd_status_spec,
	&cmd_runs_spec,
	&cmd_report_spec,
	&cmd_notify_spec,
	&cmd_followup_spec,
	&cmd_close_spec,
	&cmd_serve_spec,
	&cmd_completion_spec,
	&cmd_manpage_spec,
	NULL,
};
