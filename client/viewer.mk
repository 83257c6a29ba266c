# client/viewer.mk: the GTK3 viewer program
