// Entry point; the command tree is built in Commands/. Placeholder until the CLI lands.
return 0;
