# data/: man pages (the codec benchmark's page is listed in codecs/local.mk).
dist_man_MANS += data/spicecast-server.1
