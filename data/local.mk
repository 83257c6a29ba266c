# data/: man pages (the codec benchmark's page is listed in codecs/local.mk).
dist_man_MANS += data/spicecast-server.1

# pkg-config file of the embedding library (libspicecast, spicecast.h)
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = data/spicecast.pc
EXTRA_DIST += data/spicecast.pc.in
