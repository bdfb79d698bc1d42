"""The web edition: HTML pages -> a static site: pages, images, fonts, feed, sitemap, serve."""
