"""`alpr-gen run`: launch deepstream-app on a rendered config set.

One module per idea: `bundle` reads the config set, `command` builds argv/cwd/env (pure),
`preflight` checks the machine, `logparse` reads deepstream-app's output, `supervisor` owns the
child process, `view` shows it, and `runner` ties them together for the command.
"""
