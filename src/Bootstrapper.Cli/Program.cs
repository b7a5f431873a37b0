using Bootstrapper.Cli.Commands;

// `bootstrap` entry point. Commands/ builds the command tree; CommandRunner maps failures to exit codes.
return await CliApp.RunAsync(args);
