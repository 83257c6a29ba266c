# client/: the viewer.  The SPICE client engine (client.h) is a library the
# viewer and the tests link; the GTK viewer program is in client/viewer.mk.
include client/engine.mk
include client/viewer.mk
