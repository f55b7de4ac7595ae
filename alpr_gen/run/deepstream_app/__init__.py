"""The deepstream-app backend: the exact command (`command`), the supervised process
(`supervisor`), its log read into events (`logparse`), behind the Backend seam (`backend`)."""
