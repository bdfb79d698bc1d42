"""Output stage: which files a build writes, writing them whole, their manifest and the cache."""
