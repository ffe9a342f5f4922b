# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_dalgo_global_optspecs
    string join \n database-url= o/output= no-input actor= q/quiet no-headers v/verbose h/help V/version
end

function __fish_dalgo_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_dalgo_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_dalgo_using_subcommand
    set -l cmd (__fish_dalgo_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c dalgo -n "__fish_dalgo_needs_command" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_needs_command" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_needs_command" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_needs_command" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_needs_command" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_needs_command" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_needs_command" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_needs_command" -s V -l version -d 'Print version'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "migrate" -d 'Create the database if needed, apply migrations and load the seed data'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "createorganduser" -d 'Create an org, a user and the user\'s membership (each only if missing)'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "create-system-orguser" -d 'Create Dalgo\'s system user and its org-less admin membership'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "org" -d 'List, show, export and delete orgs; set their plans'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "user" -d 'List users; add, remove and change members of orgs'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "role" -d 'List roles and their permissions'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "audit" -d 'Read the audit log: who changed what, and when'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "manage-feature-flags" -d 'Enable, disable, clear and list feature flags, globally or per org'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "warehouse" -d 'Set, show and delete an org\'s warehouse'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "dbt" -d 'Set up an org\'s dbt workspace and run dbt in it'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "secrets" -d 'List, show and delete stored credentials'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "airbyte" -d 'An org\'s Airbyte workspace, sources, destinations, connections, syncs and jobs'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "pipeline" -d 'Orchestration pipelines: Prefect deployments of an org\'s tasks, their runs and logs'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "locks" -d 'Task locks held by pipeline runs; release the stale ones'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "worker" -d 'Run Dalgo\'s pipelines on a Prefect work pool (a native Prefect worker)'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "maintain" -d 'Upkeep for cron or a systemd timer: stale locks freed, run history synced'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "import" -d 'Bring a running Dalgo under dalgo: its Django database\'s orgs, users, pipelines and history'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "apply" -d 'Make orgs what documents say: plan, then apply (see `dalgo org export`)'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "schema" -d 'Print the JSON Schema of the org document `dalgo apply` takes'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "config" -d 'The effective configuration: each setting, masked, and where it comes from'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "man" -d 'Print a command\'s manual page, or write every page into a directory'
complete -c dalgo -n "__fish_dalgo_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand migrate" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand migrate" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand migrate" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand migrate" -l status -d 'List applied and pending migrations; change nothing'
complete -c dalgo -n "__fish_dalgo_using_subcommand migrate" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand migrate" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand migrate" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand migrate" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand createorganduser" -l role -d 'The user\'s role in the org' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand createorganduser" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand createorganduser" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand createorganduser" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand createorganduser" -l password-stdin -d 'Read the new user\'s password from stdin'
complete -c dalgo -n "__fish_dalgo_using_subcommand createorganduser" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand createorganduser" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand createorganduser" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand createorganduser" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand createorganduser" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand create-system-orguser" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand create-system-orguser" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand create-system-orguser" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand create-system-orguser" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand create-system-orguser" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand create-system-orguser" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand create-system-orguser" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand create-system-orguser" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -f -a "list" -d 'Every org with its plan and member count'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -f -a "show" -d 'An org with its plan and members'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -f -a "delete" -d 'Delete an org, its memberships, plan and flag overrides in one transaction'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -f -a "plan" -d 'Set or show an org\'s plan (Dalgo\'s createorgplan)'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -f -a "export" -d 'Write the org as a document for `dalgo apply` (YAML; -o json: JSON)'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and not __fish_seen_subcommand_from list show delete plan export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N (default: all)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from list" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from list" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from show" -l org -d 'The org\'s slug, as every command takes it (or the positional SLUG)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from show" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from show" -l entities -d 'Everything the org owns, in every system, each external object marked present, missing or unknown'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from show" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from delete" -l org -d 'The org\'s slug, as every command takes it (or the positional SLUG)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from delete" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from delete" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from delete" -l dry-run -d 'Check the target and say what would be done; change nothing'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation (needed when not at a terminal)'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from delete" -l keep-airbyte -d 'Leave the org\'s Airbyte workspace (and its sources and connections) in place'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from delete" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from delete" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from plan" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from plan" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from plan" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from plan" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from plan" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from plan" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from plan" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from plan" -f -a "set" -d 'Set the org\'s plan: which, for how long, with Superset or not, and its window'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from plan" -f -a "show" -d 'The org\'s plan with Dalgo\'s field names'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from plan" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from export" -l org -d 'The org\'s slug, as every command takes it (or the positional SLUG)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from export" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from export" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from export" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from export" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from export" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from export" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every org with its plan and member count'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "show" -d 'An org with its plan and members'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete an org, its memberships, plan and flag overrides in one transaction'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "plan" -d 'Set or show an org\'s plan (Dalgo\'s createorgplan)'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write the org as a document for `dalgo apply` (YAML; -o json: JSON)'
complete -c dalgo -n "__fish_dalgo_using_subcommand org; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -f -a "list" -d 'Memberships: each user with its org and role'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -f -a "add" -d 'Add a user to an org, creating the user if needed'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -f -a "set-role" -d 'Change a member\'s role in an org'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -f -a "remove" -d 'Remove a user from an org (a user left with no org is deleted)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -f -a "set-password" -d 'Set a user\'s password (from --password-stdin, PASSWORD, or a prompt)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -f -a "attributes" -d 'Show or change a user\'s four attributes (Dalgo\'s manage-user-attributes)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and not __fish_seen_subcommand_from list add set-role remove set-password attributes help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N (default: all)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from list" -l org -d 'Only members of this org (default $DALGO_ORG; every org\'s when neither is given)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from list" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from list" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from add" -l role -d 'The role\'s slug (`dalgo role list` shows them)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from add" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from add" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from add" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from add" -l password-stdin -d 'Read a new user\'s password from stdin (else PASSWORD, else a prompt)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from add" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from add" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-role" -l role -d 'The role\'s slug (`dalgo role list` shows them)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-role" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-role" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-role" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-role" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-role" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-role" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-role" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-role" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-role" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from remove" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from remove" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from remove" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from remove" -l dry-run -d 'Check the target and say what would be done; change nothing'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation (needed when not at a terminal)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from remove" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-password" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-password" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-password" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-password" -l password-stdin -d 'Read the new password from stdin'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-password" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-password" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-password" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-password" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from set-password" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from attributes" -l enable -d 'Set this attribute (repeat): email_verified, can_create_orgs, is_consultant, is_platform_admin' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from attributes" -l disable -d 'Clear this attribute (repeat)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from attributes" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from attributes" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from attributes" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from attributes" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from attributes" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from attributes" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from attributes" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from attributes" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "list" -d 'Memberships: each user with its org and role'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a user to an org, creating the user if needed'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "set-role" -d 'Change a member\'s role in an org'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a user from an org (a user left with no org is deleted)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "set-password" -d 'Set a user\'s password (from --password-stdin, PASSWORD, or a prompt)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "attributes" -d 'Show or change a user\'s four attributes (Dalgo\'s manage-user-attributes)'
complete -c dalgo -n "__fish_dalgo_using_subcommand user; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and not __fish_seen_subcommand_from list show help" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and not __fish_seen_subcommand_from list show help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and not __fish_seen_subcommand_from list show help" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and not __fish_seen_subcommand_from list show help" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and not __fish_seen_subcommand_from list show help" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and not __fish_seen_subcommand_from list show help" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and not __fish_seen_subcommand_from list show help" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'Roles with their levels and permission counts'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'A role and the permissions it grants'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N (default: all)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from list" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from list" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from show" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from show" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "list" -d 'Roles with their levels and permission counts'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "show" -d 'A role and the permissions it grants'
complete -c dalgo -n "__fish_dalgo_using_subcommand role; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and not __fish_seen_subcommand_from list help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and not __fish_seen_subcommand_from list help" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and not __fish_seen_subcommand_from list help" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and not __fish_seen_subcommand_from list help" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and not __fish_seen_subcommand_from list help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and not __fish_seen_subcommand_from list help" -f -a "list" -d 'Who changed what and when: the audit log, newest first'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and not __fish_seen_subcommand_from list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and __fish_seen_subcommand_from list" -l actor -d 'Only entries made by this actor' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and __fish_seen_subcommand_from list" -l since -d 'Only entries this recent (30m, 2h, 1d)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N (default 100)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and __fish_seen_subcommand_from list" -l org -d 'Only entries about this org (by slug; deleted orgs too)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and __fish_seen_subcommand_from list" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "list" -d 'Who changed what and when: the audit log, newest first'
complete -c dalgo -n "__fish_dalgo_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -l org -d 'Act on this org\'s override instead of the global value (`--org-slug`, Dalgo\'s spelling, works too)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -l enable -d 'Turn the flag on in the scope'
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -l disable -d 'Turn the flag off in the scope'
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -l list-all -d 'Show every flag\'s effective value (JSON: the web app\'s {"FLAG": bool} object)'
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -l enable-all-global -d 'Enable every flag globally, in one transaction'
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -l clear -d 'Remove the value: with --org the org\'s override (back to the global value), else the global value (back to off)'
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand manage-feature-flags" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and not __fish_seen_subcommand_from set show delete help" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and not __fish_seen_subcommand_from set show delete help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and not __fish_seen_subcommand_from set show delete help" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and not __fish_seen_subcommand_from set show delete help" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and not __fish_seen_subcommand_from set show delete help" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and not __fish_seen_subcommand_from set show delete help" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and not __fish_seen_subcommand_from set show delete help" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and not __fish_seen_subcommand_from set show delete help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and not __fish_seen_subcommand_from set show delete help" -f -a "set" -d 'Set an org\'s warehouse: check the credentials, store them, record it'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and not __fish_seen_subcommand_from set show delete help" -f -a "show" -d 'An org\'s warehouse, credentials masked'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and not __fish_seen_subcommand_from set show delete help" -f -a "delete" -d 'Delete an org\'s warehouse and its stored credentials'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and not __fish_seen_subcommand_from set show delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from set" -l config -d 'The config file, YAML or JSON; - reads stdin' -r -F
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from set" -l type -d 'The warehouse\'s type' -r -f -a "postgres\t''
bigquery\t''
snowflake\t''"
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from set" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from set" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from set" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from set" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from set" -l no-check -d 'Store the credentials without trying them'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from set" -l no-airbyte -d 'Do not create or update the org\'s Airbyte destination'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from set" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from set" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from set" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from show" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from show" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from show" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from delete" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from delete" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from delete" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from delete" -l dry-run -d 'Check the target and say what would be done; change nothing'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation (needed when not at a terminal)'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from delete" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from delete" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set an org\'s warehouse: check the credentials, store them, record it'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from help" -f -a "show" -d 'An org\'s warehouse, credentials masked'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete an org\'s warehouse and its stored credentials'
complete -c dalgo -n "__fish_dalgo_using_subcommand warehouse; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "setup" -d 'Set up (or update) an org\'s dbt workspace: clone, token, profile, tasks'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "teardown" -d 'Remove the workspace, its tasks, profile, token and clone'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "status" -d 'The workspace, its checkout, profile and recent runs'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "run" -d 'Build the project\'s models in the warehouse (dbt run), dbt\'s output live, its exit code'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "test" -d 'Run the project\'s data tests (dbt test); a failing test exits 1'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "seed" -d 'Load the project\'s CSV seeds into the warehouse (dbt seed)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "deps" -d 'Install the packages packages.yml names into the project (dbt deps)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "clean" -d 'Remove what dbt built in the project: target/, dbt_packages/ (dbt clean)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "build" -d 'Run, test, seed and snapshot in dependency order (dbt build)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "docs-generate" -d 'Write the project\'s documentation site and catalog to target/ (dbt docs generate)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "debug" -d 'Check the project, its profile and the warehouse connection (dbt debug)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "compile" -d 'Compile the models to SQL in target/ without running them (dbt compile)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "ls" -d 'List the project\'s models, tests, seeds and sources (dbt ls)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "git-pull" -d 'Fast-forward the org\'s clone from its remote'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and not __fish_seen_subcommand_from setup teardown status run test seed deps clean build docs-generate debug compile ls git-pull help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -l repo -d 'The repository to clone (https, ssh or file URL, without credentials)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -l branch -d 'The branch to check out [default: the repository\'s default]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -l token-file -d 'Read the access token from this file' -r -F
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -l local -d 'A dbt project already on disk, used in place' -r -F
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -l default-schema -d 'The schema dbt builds into, kept by later runs [default: the warehouse\'s schema or dataset, followed when it changes]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -l token-stdin -d 'Read the access token from stdin'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from setup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from teardown" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from teardown" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from teardown" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from teardown" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from teardown" -l dry-run -d 'Check the target and say what would be done; change nothing'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from teardown" -s y -l yes -d 'Do not ask for confirmation (needed when not at a terminal)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from teardown" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from teardown" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from teardown" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from teardown" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from teardown" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from status" -l limit -d 'How many recent runs to show' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from status" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from status" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from status" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from status" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from status" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from run" -l target -d 'The profile target to use' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from run" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from run" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from run" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from run" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from run" -l no-wait -d 'Fail with exit 75 instead of waiting when another dbt command runs for the org'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from run" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from run" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from run" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from test" -l target -d 'The profile target to use' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from test" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from test" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from test" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from test" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from test" -l no-wait -d 'Fail with exit 75 instead of waiting when another dbt command runs for the org'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from test" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from test" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from test" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from test" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from seed" -l target -d 'The profile target to use' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from seed" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from seed" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from seed" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from seed" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from seed" -l no-wait -d 'Fail with exit 75 instead of waiting when another dbt command runs for the org'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from seed" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from seed" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from seed" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from seed" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from seed" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from deps" -l target -d 'The profile target to use' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from deps" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from deps" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from deps" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from deps" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from deps" -l no-wait -d 'Fail with exit 75 instead of waiting when another dbt command runs for the org'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from deps" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from deps" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from deps" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from deps" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from deps" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from clean" -l target -d 'The profile target to use' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from clean" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from clean" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from clean" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from clean" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from clean" -l no-wait -d 'Fail with exit 75 instead of waiting when another dbt command runs for the org'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from clean" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from clean" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from clean" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from clean" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from clean" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from build" -l target -d 'The profile target to use' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from build" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from build" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from build" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from build" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from build" -l no-wait -d 'Fail with exit 75 instead of waiting when another dbt command runs for the org'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from build" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from build" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from build" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from build" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from build" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from docs-generate" -l target -d 'The profile target to use' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from docs-generate" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from docs-generate" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from docs-generate" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from docs-generate" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from docs-generate" -l no-wait -d 'Fail with exit 75 instead of waiting when another dbt command runs for the org'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from docs-generate" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from docs-generate" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from docs-generate" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from docs-generate" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from docs-generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from debug" -l target -d 'The profile target to use' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from debug" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from debug" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from debug" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from debug" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from debug" -l no-wait -d 'Fail with exit 75 instead of waiting when another dbt command runs for the org'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from debug" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from debug" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from debug" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from debug" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from debug" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from compile" -l target -d 'The profile target to use' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from compile" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from compile" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from compile" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from compile" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from compile" -l no-wait -d 'Fail with exit 75 instead of waiting when another dbt command runs for the org'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from compile" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from compile" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from compile" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from compile" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from compile" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from ls" -l target -d 'The profile target to use' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from ls" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from ls" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from ls" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from ls" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from ls" -l no-wait -d 'Fail with exit 75 instead of waiting when another dbt command runs for the org'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from ls" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from ls" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from git-pull" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from git-pull" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from git-pull" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from git-pull" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from git-pull" -l no-wait -d 'Fail with exit 75 instead of waiting when the org is busy'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from git-pull" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from git-pull" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from git-pull" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from git-pull" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from git-pull" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "setup" -d 'Set up (or update) an org\'s dbt workspace: clone, token, profile, tasks'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "teardown" -d 'Remove the workspace, its tasks, profile, token and clone'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "status" -d 'The workspace, its checkout, profile and recent runs'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "run" -d 'Build the project\'s models in the warehouse (dbt run), dbt\'s output live, its exit code'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "test" -d 'Run the project\'s data tests (dbt test); a failing test exits 1'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "seed" -d 'Load the project\'s CSV seeds into the warehouse (dbt seed)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "deps" -d 'Install the packages packages.yml names into the project (dbt deps)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "clean" -d 'Remove what dbt built in the project: target/, dbt_packages/ (dbt clean)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "build" -d 'Run, test, seed and snapshot in dependency order (dbt build)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "docs-generate" -d 'Write the project\'s documentation site and catalog to target/ (dbt docs generate)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "debug" -d 'Check the project, its profile and the warehouse connection (dbt debug)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "compile" -d 'Compile the models to SQL in target/ without running them (dbt compile)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List the project\'s models, tests, seeds and sources (dbt ls)'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "git-pull" -d 'Fast-forward the org\'s clone from its remote'
complete -c dalgo -n "__fish_dalgo_using_subcommand dbt; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and not __fish_seen_subcommand_from list show gc delete help" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and not __fish_seen_subcommand_from list show gc delete help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and not __fish_seen_subcommand_from list show gc delete help" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and not __fish_seen_subcommand_from list show gc delete help" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and not __fish_seen_subcommand_from list show gc delete help" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and not __fish_seen_subcommand_from list show gc delete help" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and not __fish_seen_subcommand_from list show gc delete help" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and not __fish_seen_subcommand_from list show gc delete help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and not __fish_seen_subcommand_from list show gc delete help" -f -a "list" -d 'Secrets the database refers to, and any others the store holds'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and not __fish_seen_subcommand_from list show gc delete help" -f -a "show" -d 'A secret\'s value, masked unless --reveal is given on a terminal'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and not __fish_seen_subcommand_from list show gc delete help" -f -a "gc" -d 'Remove warehouse credentials and git tokens that no row names'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and not __fish_seen_subcommand_from list show gc delete help" -f -a "delete" -d 'Delete a secret no org refers to'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and not __fish_seen_subcommand_from list show gc delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N (default: all)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from list" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from list" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from show" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from show" -l reveal -d 'Print the value itself (only to a terminal)'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from show" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from gc" -l older-than -d 'Only versions at least this old (e.g. 30m, 2h, 1d)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from gc" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from gc" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from gc" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from gc" -l dry-run -d 'Check the target and say what would be done; change nothing'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from gc" -s y -l yes -d 'Do not ask for confirmation (needed when not at a terminal)'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from gc" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from gc" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from gc" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from gc" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from delete" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from delete" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from delete" -l dry-run -d 'Check the target and say what would be done; change nothing'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation (needed when not at a terminal)'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from delete" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from delete" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "list" -d 'Secrets the database refers to, and any others the store holds'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "show" -d 'A secret\'s value, masked unless --reveal is given on a terminal'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "gc" -d 'Remove warehouse credentials and git tokens that no row names'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a secret no org refers to'
complete -c dalgo -n "__fish_dalgo_using_subcommand secrets; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -f -a "health" -d 'Is the server reachable, which version, are our credentials accepted'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -f -a "login" -d 'Store Airbyte credentials in the OS keyring (interactive use; cron uses the environment or files)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -f -a "workspace" -d 'An org\'s Airbyte workspace'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -f -a "source-definitions" -d 'The source connectors available to an org'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -f -a "destination-definitions" -d 'The destination connectors available to an org'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -f -a "sources" -d 'An org\'s sources'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -f -a "destinations" -d 'An org\'s destinations'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -f -a "connections" -d 'An org\'s connections (source → destination)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -f -a "sync" -d 'Sync one connection, or all of an org\'s, and optionally wait for the jobs'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -f -a "reset" -d 'Reset a connection (clear its synced data)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -f -a "jobs" -d 'Airbyte jobs: history, details, logs, cancelling'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and not __fish_seen_subcommand_from health login workspace source-definitions destination-definitions sources destinations connections sync reset jobs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from health" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from health" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from health" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from health" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from health" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from health" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from health" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from health" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from login" -l client-id -d 'Application client id (abctl: `abctl local credentials`); the secret is read from stdin' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from login" -l username -d 'Basic-auth user; the password is read from stdin' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from login" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from login" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from login" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from login" -l token-stdin -d 'Read a Basic token (base64 of user:password) from stdin'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from login" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from login" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from login" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from login" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from workspace" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from workspace" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from workspace" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from workspace" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from workspace" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from workspace" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from workspace" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from workspace" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from workspace" -f -a "create" -d 'Create the org\'s workspace (named after its slug) unless it has one'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from workspace" -f -a "show" -d 'The org\'s workspace'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from workspace" -f -a "delete" -d 'Delete the org\'s workspace with its sources, destinations and connections'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from workspace" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from source-definitions" -l limit -d 'Show at most N (default: all)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from source-definitions" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from source-definitions" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from source-definitions" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from source-definitions" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from source-definitions" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from source-definitions" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from source-definitions" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from source-definitions" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from source-definitions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destination-definitions" -l limit -d 'Show at most N (default: all)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destination-definitions" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destination-definitions" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destination-definitions" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destination-definitions" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destination-definitions" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destination-definitions" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destination-definitions" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destination-definitions" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destination-definitions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -f -a "list" -d 'All of the org\'s'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -f -a "show" -d 'One, with its config (secrets masked by Airbyte)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -f -a "create" -d 'Create one; the config is checked against the connector\'s specification first'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -f -a "update" -d 'Replace one\'s config (and optionally its name)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -f -a "check" -d 'Test one\'s connection'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -f -a "discover" -d 'A source\'s streams and their sync modes (sources only)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -f -a "delete" -d 'Delete one'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sources" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -f -a "list" -d 'All of the org\'s'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -f -a "show" -d 'One, with its config (secrets masked by Airbyte)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -f -a "create" -d 'Create one; the config is checked against the connector\'s specification first'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -f -a "update" -d 'Replace one\'s config (and optionally its name)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -f -a "check" -d 'Test one\'s connection'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -f -a "discover" -d 'A source\'s streams and their sync modes (sources only)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -f -a "delete" -d 'Delete one'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from destinations" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -f -a "list" -d 'A list of one org\'s things'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -f -a "show"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -f -a "create" -d 'Create a connection from a freshly discovered catalog'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -f -a "update" -d 'Change a connection; what is not given stays as it is'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -f -a "delete" -d 'The options of every destructive command. The command first finds its target (a missing one is 67 before anything is asked), then calls [`Guard::proceed`]'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from connections" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -l concurrency -d 'How many connections to sync at once with --all' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -l poll-interval -d 'Seconds between status checks while waiting' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -l all -d 'Every active connection of the org'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -l wait -d 'Follow the jobs to their end'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -l cancel-on-interrupt -d 'On Ctrl-C, cancel the jobs instead of only stopping to wait'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from reset" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from reset" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from reset" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from reset" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from reset" -l dry-run -d 'Check the target and say what would be done; change nothing'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from reset" -s y -l yes -d 'Do not ask for confirmation (needed when not at a terminal)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from reset" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from reset" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from reset" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from reset" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from jobs" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from jobs" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from jobs" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from jobs" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from jobs" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from jobs" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from jobs" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from jobs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from jobs" -f -a "list" -d 'Jobs dalgo triggered or watched for the org (newest first)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from jobs" -f -a "show" -d 'One job as Airbyte reports it now'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from jobs" -f -a "logs" -d 'Every attempt\'s logs'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from jobs" -f -a "cancel"
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from jobs" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from help" -f -a "health" -d 'Is the server reachable, which version, are our credentials accepted'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from help" -f -a "login" -d 'Store Airbyte credentials in the OS keyring (interactive use; cron uses the environment or files)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from help" -f -a "workspace" -d 'An org\'s Airbyte workspace'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from help" -f -a "source-definitions" -d 'The source connectors available to an org'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from help" -f -a "destination-definitions" -d 'The destination connectors available to an org'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from help" -f -a "sources" -d 'An org\'s sources'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from help" -f -a "destinations" -d 'An org\'s destinations'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from help" -f -a "connections" -d 'An org\'s connections (source → destination)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from help" -f -a "sync" -d 'Sync one connection, or all of an org\'s, and optionally wait for the jobs'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Reset a connection (clear its synced data)'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from help" -f -a "jobs" -d 'Airbyte jobs: history, details, logs, cancelling'
complete -c dalgo -n "__fish_dalgo_using_subcommand airbyte; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "create" -d 'Create a pipeline and its Prefect deployment'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "list" -d 'The org\'s pipelines: schedule, active or paused, last and next run'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "show" -d 'A pipeline\'s tasks in order, schedule and recent runs'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "blocks" -d 'Create or refresh the Prefect blocks the org\'s pipelines load'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "update" -d 'Change a pipeline\'s tasks or schedule (the whole schedule is always sent)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "reschedule" -d 'Regenerate future runs from the schedules (Dalgo\'s refresh_deployment_schedule)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "pause" -d 'Pause the pipeline\'s schedule'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "resume" -d 'Resume the pipeline\'s schedule'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "delete" -d 'Delete the deployment, then the pipeline'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "run" -d 'Run the pipeline now, locking its tasks; optionally wait for the end'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "history" -d 'The pipeline\'s latest runs, as Prefect knows them (`runs` works too)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "logs" -d 'A flow run\'s whole log (or a pipeline\'s latest run\'s, with --last): subflows\' and tasks\' lines too, oldest first'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "cancel" -d 'Cancel a flow run'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "crash" -d 'Mark CRASHED a run whose worker is gone, with its subflows; free its locks'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "retry" -d 'Run a finished flow run again'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "sync-runs" -d 'For cron: record recent runs of every deployment and free the locks of finished ones'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and not __fish_seen_subcommand_from create list show blocks update reschedule pause resume delete run history logs cancel crash retry sync-runs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -l transform -d 'Transform task slugs, comma-separated (e.g. git-pull,dbt-run)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -l cron -d 'Five-field cron, in UTC (e.g. "0 2 * * *"); none: runs only when asked' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -l name -d 'The pipeline\'s name' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -l connection -d 'An Airbyte connection to sync (repeat, in order)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -l no-transform -d 'No transform tasks'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -l continue-on-sync-failure -d 'Run the transform tasks even when a sync failed'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N (default: all)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from list" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from show" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from show" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from show" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from blocks" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from blocks" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from blocks" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from blocks" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from blocks" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from blocks" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from blocks" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from blocks" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from blocks" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -l transform -d 'Transform task slugs, comma-separated (e.g. git-pull,dbt-run)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -l cron -d 'Run on this cron schedule (5 fields: minute hour day month weekday)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -l connection -d 'Replace the syncs (repeat); with --transform/--no-transform, the task list is rebuilt' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -l no-transform -d 'No transform tasks'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -l no-schedule -d 'Remove the schedule'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from reschedule" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from reschedule" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from reschedule" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from reschedule" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from reschedule" -l all -d 'Every pipeline of the org'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from reschedule" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from reschedule" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from reschedule" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from reschedule" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from reschedule" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from pause" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from pause" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from pause" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from pause" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from pause" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from pause" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from pause" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from pause" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from resume" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from resume" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from resume" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from resume" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from resume" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from resume" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from resume" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from resume" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from delete" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from delete" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from delete" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from delete" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from delete" -l dry-run -d 'Check the target and say what would be done; change nothing'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation (needed when not at a terminal)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from delete" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from delete" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l poll-interval -d 'Seconds between status checks while waiting' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l wait -d 'Wait for the run to end; the exit status is its outcome'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l follow -d 'Print every task\'s log lines as they arrive while waiting (implies --wait)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l require-worker -d 'Start nothing (exit 69) when no worker polls the run\'s work pool queue'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l cancel-on-interrupt -d 'On Ctrl-C while waiting, cancel the run and wait for the cancellation'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from history" -l limit -d 'How many to show, newest first' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from history" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from history" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from history" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from history" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from history" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from history" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from history" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from logs" -l org -d 'The org\'s slug' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from logs" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from logs" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from logs" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from logs" -l last -d 'RUN names a pipeline: show its latest run\'s log'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from logs" -l follow -d 'Keep printing new lines until the run ends'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from logs" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from logs" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from logs" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from logs" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from cancel" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from cancel" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from cancel" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from cancel" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from cancel" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from cancel" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from cancel" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from cancel" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from crash" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from crash" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from crash" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from crash" -l dry-run -d 'Check the target and say what would be done; change nothing'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from crash" -s y -l yes -d 'Do not ask for confirmation (needed when not at a terminal)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from crash" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from crash" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from crash" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from crash" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from crash" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from retry" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from retry" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from retry" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from retry" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from retry" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from retry" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from retry" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from retry" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from sync-runs" -l lookback-hours -d 'How many hours back to look for runs' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from sync-runs" -l org -d 'Only this org\'s (its slug)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from sync-runs" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from sync-runs" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from sync-runs" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from sync-runs" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from sync-runs" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from sync-runs" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from sync-runs" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from sync-runs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a pipeline and its Prefect deployment'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "list" -d 'The org\'s pipelines: schedule, active or paused, last and next run'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "show" -d 'A pipeline\'s tasks in order, schedule and recent runs'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "blocks" -d 'Create or refresh the Prefect blocks the org\'s pipelines load'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "update" -d 'Change a pipeline\'s tasks or schedule (the whole schedule is always sent)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "reschedule" -d 'Regenerate future runs from the schedules (Dalgo\'s refresh_deployment_schedule)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Pause the pipeline\'s schedule'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Resume the pipeline\'s schedule'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete the deployment, then the pipeline'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "run" -d 'Run the pipeline now, locking its tasks; optionally wait for the end'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "history" -d 'The pipeline\'s latest runs, as Prefect knows them (`runs` works too)'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "logs" -d 'A flow run\'s whole log (or a pipeline\'s latest run\'s, with --last): subflows\' and tasks\' lines too, oldest first'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "cancel" -d 'Cancel a flow run'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "crash" -d 'Mark CRASHED a run whose worker is gone, with its subflows; free its locks'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "retry" -d 'Run a finished flow run again'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "sync-runs" -d 'For cron: record recent runs of every deployment and free the locks of finished ones'
complete -c dalgo -n "__fish_dalgo_using_subcommand pipeline; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and not __fish_seen_subcommand_from list release-stale release help" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and not __fish_seen_subcommand_from list release-stale release help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and not __fish_seen_subcommand_from list release-stale release help" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and not __fish_seen_subcommand_from list release-stale release help" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and not __fish_seen_subcommand_from list release-stale release help" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and not __fish_seen_subcommand_from list release-stale release help" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and not __fish_seen_subcommand_from list release-stale release help" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and not __fish_seen_subcommand_from list release-stale release help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and not __fish_seen_subcommand_from list release-stale release help" -f -a "list" -d 'Held task locks'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and not __fish_seen_subcommand_from list release-stale release help" -f -a "release-stale" -d 'Release locks whose run is final or unknown to Prefect, or that never got a run'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and not __fish_seen_subcommand_from list release-stale release help" -f -a "release" -d 'Release one lock'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and not __fish_seen_subcommand_from list release-stale release help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from list" -l limit -d 'Show at most N (default: all)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from list" -l org -d 'Only this org\'s (its slug)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from list" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from list" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from list" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release-stale" -l older-than -d 'Age after which a lock with no flow run is stale (e.g. 30m, 2h, 90s)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release-stale" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release-stale" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release-stale" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release-stale" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release-stale" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release-stale" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release-stale" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release-stale" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release" -l dry-run -d 'Check the target and say what would be done; change nothing'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release" -s y -l yes -d 'Do not ask for confirmation (needed when not at a terminal)'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from release" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from help" -f -a "list" -d 'Held task locks'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from help" -f -a "release-stale" -d 'Release locks whose run is final or unknown to Prefect, or that never got a run'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from help" -f -a "release" -d 'Release one lock'
complete -c dalgo -n "__fish_dalgo_using_subcommand locks; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -l pool -d 'The Prefect work pool to take runs from' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -l queue -d 'A queue of the pool to take runs from (repeat; default: every queue)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -l concurrency -d 'How many runs at once' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -l name -d 'The worker\'s name in Prefect, unique per worker [default: dalgo-<hostname>]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -l poll-interval -d 'Seconds between polls for scheduled runs, cancellations and Airbyte job states' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -l grace -d 'After SIGTERM, how long running runs may take to finish before they are stopped' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -l heartbeat -d 'Seconds between heartbeats on the pool; Prefect shows the worker OFFLINE after three missed ones' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -l once -d 'Run what is scheduled now, then exit (for cron and tests)'
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand worker" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand maintain" -l lock-age -d 'A lock with no flow run is stale after this long (e.g. 30m, 2h)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand maintain" -l lookback -d 'How far back the run history is synced (e.g. 24h, 1d)' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand maintain" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand maintain" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand maintain" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand maintain" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand maintain" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand maintain" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand maintain" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand maintain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and not __fish_seen_subcommand_from django help" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and not __fish_seen_subcommand_from django help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and not __fish_seen_subcommand_from django help" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and not __fish_seen_subcommand_from django help" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and not __fish_seen_subcommand_from django help" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and not __fish_seen_subcommand_from django help" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and not __fish_seen_subcommand_from django help" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and not __fish_seen_subcommand_from django help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and not __fish_seen_subcommand_from django help" -f -a "django" -d 'Bring a running Dalgo\'s Django database under dalgo (read only on Django\'s side)'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and not __fish_seen_subcommand_from django help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -l from -d 'The Django database\'s URL, e.g. postgres://dalgo@db-host/ddp; only read. Its password is best kept out of the command line (the process list, shell history): PGPASSWORD, or the whole URL in DALGO_IMPORT_FROM' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -l rename -d 'The slug for the Django org ID (orgs sharing a slug); repeatable' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -l secrets-dir -d 'Dalgo\'s DEV_SECRETS_DIR, to copy the secrets the rows name from' -r -F
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -l secrets-from -d 'Copy the secrets the rows name from AWS Secrets Manager (AWS_REGION, AWS_PROFILE, …)' -r -f -a "aws\t''"
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -l dry-run -d 'Print the plan (per table: new, changed, unchanged, refused) and write nothing'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -l check-external -d 'Then look up each imported org\'s Airbyte workspace, Prefect deployments and blocks; say what is missing'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from django" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "django" -d 'Bring a running Dalgo\'s Django database under dalgo (read only on Django\'s side)'
complete -c dalgo -n "__fish_dalgo_using_subcommand import; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand apply" -s f -l file -d 'A document, a directory of them (*.yaml, *.yml, *.json; one org each), or - for stdin' -r -F
complete -c dalgo -n "__fish_dalgo_using_subcommand apply" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand apply" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand apply" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand apply" -l dry-run -d 'Print the plan and write nothing'
complete -c dalgo -n "__fish_dalgo_using_subcommand apply" -l exit-code -d 'Exit 2 when the plan changes something, 0 when it changes nothing (as terraform\'s -detailed-exitcode)'
complete -c dalgo -n "__fish_dalgo_using_subcommand apply" -s y -l yes -d 'Do not ask before removing what the documents no longer list (needed off a terminal when a plan removes something)'
complete -c dalgo -n "__fish_dalgo_using_subcommand apply" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand apply" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand apply" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand apply" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand schema" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand schema" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand schema" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand schema" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand schema" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand schema" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand schema" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and not __fish_seen_subcommand_from show help" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and not __fish_seen_subcommand_from show help" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and not __fish_seen_subcommand_from show help" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and not __fish_seen_subcommand_from show help" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and not __fish_seen_subcommand_from show help" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and not __fish_seen_subcommand_from show help" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and not __fish_seen_subcommand_from show help" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and not __fish_seen_subcommand_from show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "show" -d 'Every setting dalgo reads: its effective value (secrets masked) and where it comes from'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and not __fish_seen_subcommand_from show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and __fish_seen_subcommand_from show" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and __fish_seen_subcommand_from show" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and __fish_seen_subcommand_from show" -l set -d 'Only the settings that are set somewhere'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and __fish_seen_subcommand_from show" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Every setting dalgo reads: its effective value (secrets masked) and where it comes from'
complete -c dalgo -n "__fish_dalgo_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand completions" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand completions" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand completions" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand completions" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand completions" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand completions" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand man" -l dir -d 'Write every command\'s page (dalgo.1, dalgo-pipeline-run.1, …) into this directory instead' -r -F
complete -c dalgo -n "__fish_dalgo_using_subcommand man" -l database-url -d 'PostgreSQL URL, e.g. postgres://user@host:5432/dalgo [default: DATABASE_URL, DB* variables, local socket]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand man" -s o -l output -d 'Output format: tables for people, JSON for scripts' -r -f -a "table\t'Tables fitted to the terminal\'s width (ids and times are never cut)'
wide\t'Tables with every column and every character'
json\t'JSON, for scripts'
name\t'One identifier per line (a slug, email, name or id), for `xargs` and `while read`'"
complete -c dalgo -n "__fish_dalgo_using_subcommand man" -l actor -d 'Who is acting, for the audit log [default: DALGO_ACTOR, $SUDO_USER, $USER]' -r
complete -c dalgo -n "__fish_dalgo_using_subcommand man" -l no-input -d 'Never prompt; fail instead, naming the flag to pass'
complete -c dalgo -n "__fish_dalgo_using_subcommand man" -s q -l quiet -d 'Print only results and errors (no progress, notes or warnings); for scripts see -o name, -o json, --no-headers'
complete -c dalgo -n "__fish_dalgo_using_subcommand man" -l no-headers -d 'Tables without their header line, for scripts that read columns'
complete -c dalgo -n "__fish_dalgo_using_subcommand man" -s v -l verbose -d 'More detail on stderr (-v each database and HTTP call timed, -vv debug with the SQL, -vvv trace)'
complete -c dalgo -n "__fish_dalgo_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "migrate" -d 'Create the database if needed, apply migrations and load the seed data'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "createorganduser" -d 'Create an org, a user and the user\'s membership (each only if missing)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "create-system-orguser" -d 'Create Dalgo\'s system user and its org-less admin membership'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "org" -d 'List, show, export and delete orgs; set their plans'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "user" -d 'List users; add, remove and change members of orgs'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "role" -d 'List roles and their permissions'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "audit" -d 'Read the audit log: who changed what, and when'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "manage-feature-flags" -d 'Enable, disable, clear and list feature flags, globally or per org'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "warehouse" -d 'Set, show and delete an org\'s warehouse'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "dbt" -d 'Set up an org\'s dbt workspace and run dbt in it'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "secrets" -d 'List, show and delete stored credentials'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "airbyte" -d 'An org\'s Airbyte workspace, sources, destinations, connections, syncs and jobs'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "pipeline" -d 'Orchestration pipelines: Prefect deployments of an org\'s tasks, their runs and logs'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "locks" -d 'Task locks held by pipeline runs; release the stale ones'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "worker" -d 'Run Dalgo\'s pipelines on a Prefect work pool (a native Prefect worker)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "maintain" -d 'Upkeep for cron or a systemd timer: stale locks freed, run history synced'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "import" -d 'Bring a running Dalgo under dalgo: its Django database\'s orgs, users, pipelines and history'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "apply" -d 'Make orgs what documents say: plan, then apply (see `dalgo org export`)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "schema" -d 'Print the JSON Schema of the org document `dalgo apply` takes'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "config" -d 'The effective configuration: each setting, masked, and where it comes from'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "man" -d 'Print a command\'s manual page, or write every page into a directory'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and not __fish_seen_subcommand_from migrate createorganduser create-system-orguser org user role audit manage-feature-flags warehouse dbt secrets airbyte pipeline locks worker maintain import apply schema config completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from org" -f -a "list" -d 'Every org with its plan and member count'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from org" -f -a "show" -d 'An org with its plan and members'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from org" -f -a "delete" -d 'Delete an org, its memberships, plan and flag overrides in one transaction'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from org" -f -a "plan" -d 'Set or show an org\'s plan (Dalgo\'s createorgplan)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from org" -f -a "export" -d 'Write the org as a document for `dalgo apply` (YAML; -o json: JSON)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "list" -d 'Memberships: each user with its org and role'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "add" -d 'Add a user to an org, creating the user if needed'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "set-role" -d 'Change a member\'s role in an org'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "remove" -d 'Remove a user from an org (a user left with no org is deleted)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "set-password" -d 'Set a user\'s password (from --password-stdin, PASSWORD, or a prompt)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from user" -f -a "attributes" -d 'Show or change a user\'s four attributes (Dalgo\'s manage-user-attributes)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "list" -d 'Roles with their levels and permission counts'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from role" -f -a "show" -d 'A role and the permissions it grants'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "list" -d 'Who changed what and when: the audit log, newest first'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from warehouse" -f -a "set" -d 'Set an org\'s warehouse: check the credentials, store them, record it'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from warehouse" -f -a "show" -d 'An org\'s warehouse, credentials masked'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from warehouse" -f -a "delete" -d 'Delete an org\'s warehouse and its stored credentials'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "setup" -d 'Set up (or update) an org\'s dbt workspace: clone, token, profile, tasks'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "teardown" -d 'Remove the workspace, its tasks, profile, token and clone'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "status" -d 'The workspace, its checkout, profile and recent runs'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "run" -d 'Build the project\'s models in the warehouse (dbt run), dbt\'s output live, its exit code'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "test" -d 'Run the project\'s data tests (dbt test); a failing test exits 1'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "seed" -d 'Load the project\'s CSV seeds into the warehouse (dbt seed)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "deps" -d 'Install the packages packages.yml names into the project (dbt deps)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "clean" -d 'Remove what dbt built in the project: target/, dbt_packages/ (dbt clean)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "build" -d 'Run, test, seed and snapshot in dependency order (dbt build)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "docs-generate" -d 'Write the project\'s documentation site and catalog to target/ (dbt docs generate)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "debug" -d 'Check the project, its profile and the warehouse connection (dbt debug)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "compile" -d 'Compile the models to SQL in target/ without running them (dbt compile)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "ls" -d 'List the project\'s models, tests, seeds and sources (dbt ls)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from dbt" -f -a "git-pull" -d 'Fast-forward the org\'s clone from its remote'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "list" -d 'Secrets the database refers to, and any others the store holds'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "show" -d 'A secret\'s value, masked unless --reveal is given on a terminal'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "gc" -d 'Remove warehouse credentials and git tokens that no row names'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from secrets" -f -a "delete" -d 'Delete a secret no org refers to'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from airbyte" -f -a "health" -d 'Is the server reachable, which version, are our credentials accepted'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from airbyte" -f -a "login" -d 'Store Airbyte credentials in the OS keyring (interactive use; cron uses the environment or files)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from airbyte" -f -a "workspace" -d 'An org\'s Airbyte workspace'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from airbyte" -f -a "source-definitions" -d 'The source connectors available to an org'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from airbyte" -f -a "destination-definitions" -d 'The destination connectors available to an org'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from airbyte" -f -a "sources" -d 'An org\'s sources'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from airbyte" -f -a "destinations" -d 'An org\'s destinations'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from airbyte" -f -a "connections" -d 'An org\'s connections (source → destination)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from airbyte" -f -a "sync" -d 'Sync one connection, or all of an org\'s, and optionally wait for the jobs'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from airbyte" -f -a "reset" -d 'Reset a connection (clear its synced data)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from airbyte" -f -a "jobs" -d 'Airbyte jobs: history, details, logs, cancelling'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "create" -d 'Create a pipeline and its Prefect deployment'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "list" -d 'The org\'s pipelines: schedule, active or paused, last and next run'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "show" -d 'A pipeline\'s tasks in order, schedule and recent runs'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "blocks" -d 'Create or refresh the Prefect blocks the org\'s pipelines load'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "update" -d 'Change a pipeline\'s tasks or schedule (the whole schedule is always sent)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "reschedule" -d 'Regenerate future runs from the schedules (Dalgo\'s refresh_deployment_schedule)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "pause" -d 'Pause the pipeline\'s schedule'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "resume" -d 'Resume the pipeline\'s schedule'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "delete" -d 'Delete the deployment, then the pipeline'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "run" -d 'Run the pipeline now, locking its tasks; optionally wait for the end'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "history" -d 'The pipeline\'s latest runs, as Prefect knows them (`runs` works too)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "logs" -d 'A flow run\'s whole log (or a pipeline\'s latest run\'s, with --last): subflows\' and tasks\' lines too, oldest first'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "cancel" -d 'Cancel a flow run'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "crash" -d 'Mark CRASHED a run whose worker is gone, with its subflows; free its locks'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "retry" -d 'Run a finished flow run again'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from pipeline" -f -a "sync-runs" -d 'For cron: record recent runs of every deployment and free the locks of finished ones'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from locks" -f -a "list" -d 'Held task locks'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from locks" -f -a "release-stale" -d 'Release locks whose run is final or unknown to Prefect, or that never got a run'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from locks" -f -a "release" -d 'Release one lock'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from import" -f -a "django" -d 'Bring a running Dalgo\'s Django database under dalgo (read only on Django\'s side)'
complete -c dalgo -n "__fish_dalgo_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Every setting dalgo reads: its effective value (secrets masked) and where it comes from'
