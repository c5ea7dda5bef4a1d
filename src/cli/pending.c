/* Temporary: subcommands being written. */
#include "cli/cli.h"

int
cli_user(struct cli *cli)
{
    return 2;
}

int
cli_group(struct cli *cli)
{
    return 2;
}

int
cli_apikey(struct cli *cli)
{
    return 2;
}

int
cli_audit(struct cli *cli)
{
    return 2;
}
