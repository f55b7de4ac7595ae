"""`alpr-gen run`: preflight checks, then a backend that runs a rendered config set.

`session` ties the steps together for the command; `preflight/` holds the registered checks;
`backend` is the seam every backend implements (today deepstream-app, in `deepstream_app/`);
`events` are what backends report and `view` shows.
"""
