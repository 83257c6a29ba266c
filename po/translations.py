#!/usr/bin/env python3
# po/translations.py: writes de.po and fr.po from spicecast.pot and the
# tables below (kept here so that a string changed in the sources shows up
# as untranslated: `make -C po update-po` then rerun this).  Usage:
#   python3 po/translations.py po/spicecast.pot po
import re, sys

T = {
"Scanout source: pattern[:WxH][,fps=N], image:PATH, y4m:PATH[,loop=no], qemu-dbus[:ADDRESS][,console=N] (default: pattern)":
 ("Scanout-Quelle: pattern[:BxH][,fps=N], image:PFAD, y4m:PFAD[,loop=no], qemu-dbus[:ADRESSE][,console=N] (Vorgabe: pattern)",
  "Source d’affichage : pattern[:LxH][,fps=N], image:CHEMIN, y4m:CHEMIN[,loop=no], qemu-dbus[:ADRESSE][,console=N] (par défaut : pattern)"),
"SPEC": ("SPEZ", "SPEC"),
"Listen on tcp:HOST:PORT ([::1]:PORT for IPv6) or unix:PATH; repeatable":
 ("Auf tcp:HOST:PORT ([::1]:PORT für IPv6) oder unix:PFAD lauschen; mehrfach möglich",
  "Écouter sur tcp:HÔTE:PORT ([::1]:PORT pour IPv6) ou unix:CHEMIN ; répétable"),
"ADDR": ("ADR", "ADR"),
"Display name, and the unix socket name in $XDG_RUNTIME_DIR/spicecast/ (default: default)":
 ("Name der Anzeige und des Unix-Sockets in $XDG_RUNTIME_DIR/spicecast/ (Vorgabe: default)",
  "Nom de l’affichage et du socket unix dans $XDG_RUNTIME_DIR/spicecast/ (par défaut : default)"),
"NAME": ("NAME", "NOM"),
"Require the password in FILE (first line) from every client":
 ("Von jedem Client das Passwort aus DATEI (erste Zeile) verlangen",
  "Exiger de chaque client le mot de passe de FICHIER (première ligne)"),
"FILE": ("DATEI", "FICHIER"),
"The password authenticates no new client after SECONDS (clients connected stay)":
 ("Nach SEKUNDEN lässt das Passwort keinen neuen Client mehr zu (verbundene bleiben)",
  "Après SECONDES, le mot de passe n’admet plus de nouveau client (les clients connectés restent)"),
"SECONDS": ("SEKUNDEN", "SECONDES"),
"At most N clients at once (default: no limit)":
 ("Höchstens N Clients gleichzeitig (Vorgabe: keine Grenze)",
  "Au plus N clients à la fois (par défaut : pas de limite)"),
"N": ("N", "N"),
"Accept clients without a password": ("Clients ohne Passwort annehmen", "Accepter les clients sans mot de passe"),
"Allow listening on a non-loopback address without a password":
 ("Lauschen auf einer Nicht-Loopback-Adresse ohne Passwort erlauben",
  "Autoriser l’écoute sur une adresse autre que la boucle locale sans mot de passe"),
"Video streams for a changing screen: off (lossless only, the default) or all":
 ("Videoströme für einen sich ändernden Bildschirm: off (nur verlustfrei, Vorgabe) oder all",
  "Flux vidéo pour un écran qui change : off (sans perte seulement, par défaut) ou all"),
"MODE": ("MODUS", "MODE"),
"Video encoders in order of preference, as spice-server: \\\"openh264:h264;gstreamer:vp8\\\" (default: every one that works here)":
 ("Video-Encoder in bevorzugter Reihenfolge, wie bei spice-server: \\\"openh264:h264;gstreamer:vp8\\\" (Vorgabe: alle, die hier funktionieren)",
  "Encodeurs vidéo par ordre de préférence, comme spice-server : \\\"openh264:h264;gstreamer:vp8\\\" (par défaut : tous ceux qui marchent ici)"),
"LIST": ("LISTE", "LISTE"),
"Video bitrate in bits per second (default: 8000000)":
 ("Video-Bitrate in Bit pro Sekunde (Vorgabe: 8000000)", "Débit vidéo en bits par seconde (par défaut : 8000000)"),
"BPS": ("BPS", "BPS"),
"Pass the buffer fd to local GL clients: auto (dma-bufs only, the default), on (shared memory too), off":
 ("Den Puffer-fd an lokale GL-Clients geben: auto (nur dma-bufs, Vorgabe), on (auch gemeinsamer Speicher), off",
  "Passer le fd du tampon aux clients GL locaux : auto (dma-bufs seulement, par défaut), on (mémoire partagée aussi), off"),
"Accept unix-socket clients of this user (a name or uid) too, besides the server's own user and root; repeatable":
 ("Unix-Socket-Clients dieses Benutzers (Name oder UID) zusätzlich zum eigenen Benutzer und root annehmen; mehrfach möglich",
  "Accepter aussi les clients unix de cet utilisateur (nom ou uid), en plus de l’utilisateur du serveur et de root ; répétable"),
"USER": ("BENUTZER", "UTILISATEUR"),
"Print the version and exit": ("Version ausgeben und beenden", "Afficher la version et quitter"),
"%s: the password must be 1 to %d characters on the first line":
 ("%s: das Passwort muss 1 bis %d Zeichen lang in der ersten Zeile stehen",
  "%s : le mot de passe doit faire de 1 à %d caractères sur la première ligne"),
"--allow-uid: no user or uid '%s'": ("--allow-uid: kein Benutzer und keine UID „%s“", "--allow-uid : pas d’utilisateur ni d’uid « %s »"),
"connect with: remote-viewer spice://%s\\n": ("verbinden mit: remote-viewer spice://%s\\n", "connexion avec : remote-viewer spice://%s\\n"),
"connect with: remote-viewer spice+unix://%s\\n": ("verbinden mit: remote-viewer spice+unix://%s\\n", "connexion avec : remote-viewer spice+unix://%s\\n"),
"- serve a virtual display to SPICE clients": ("- eine virtuelle Anzeige für SPICE-Clients bereitstellen", "- servir un affichage virtuel aux clients SPICE"),
"Without --listen: tcp:127.0.0.1:5900 and unix:$XDG_RUNTIME_DIR/spicecast/NAME.sock.\\nConnect with remote-viewer spice://127.0.0.1:5900 (or spicy, spicy-screenshot).":
 ("Ohne --listen: tcp:127.0.0.1:5900 und unix:$XDG_RUNTIME_DIR/spicecast/NAME.sock.\\nVerbinden mit remote-viewer spice://127.0.0.1:5900 (oder spicy, spicy-screenshot).",
  "Sans --listen : tcp:127.0.0.1:5900 et unix:$XDG_RUNTIME_DIR/spicecast/NAME.sock.\\nConnexion avec remote-viewer spice://127.0.0.1:5900 (ou spicy, spicy-screenshot)."),
"--password-file and SPICECAST_PASSWORD conflict: give one":
 ("--password-file und SPICECAST_PASSWORD schließen sich aus: nur eines angeben",
  "--password-file et SPICECAST_PASSWORD s’excluent : n’en donner qu’un"),
"a password (--password-file or SPICECAST_PASSWORD) and --disable-ticketing conflict":
 ("ein Passwort (--password-file oder SPICECAST_PASSWORD) und --disable-ticketing schließen sich aus",
  "un mot de passe (--password-file ou SPICECAST_PASSWORD) et --disable-ticketing s’excluent"),
"--password-expires: SECONDS (0 to 4294967295), and only with a password":
 ("--password-expires: SEKUNDEN (0 bis 4294967295), und nur mit einem Passwort",
  "--password-expires : SECONDES (0 à 4294967295), et seulement avec un mot de passe"),
"--max-clients: out of range": ("--max-clients: außerhalb des Bereichs", "--max-clients : hors limites"),
"--video-bitrate: out of range": ("--video-bitrate: außerhalb des Bereichs", "--video-bitrate : hors limites"),
"no password: any local client may connect (use --password-file to require one)":
 ("kein Passwort: jeder lokale Client darf sich verbinden (--password-file verlangt eines)",
  "pas de mot de passe : tout client local peut se connecter (--password-file pour en exiger un)"),
"shutting down": ("wird beendet", "arrêt en cours"),
"Attach to a local spicecast-server by display NAME or socket PATH (GL scanout); a NAME no spicecast-server uses (or any, with -c) is a libvirt domain, opened through libvirtd as virt-viewer --attach does":
 ("Mit einem lokalen spicecast-server über Anzeige-NAME oder Socket-PFAD verbinden (GL-Scanout); ein NAME, den kein spicecast-server nutzt (mit -c jeder), ist eine libvirt-Domain, über libvirtd geöffnet wie bei virt-viewer --attach",
  "S’attacher à un spicecast-server local par NOM d’affichage ou CHEMIN de socket (scanout GL) ; un NOM qu’aucun spicecast-server n’utilise (ou tout nom, avec -c) est un domaine libvirt, ouvert via libvirtd comme le fait virt-viewer --attach"),
"NAME|PATH|DOMAIN": ("NAME|PFAD|DOMAIN", "NOM|CHEMIN|DOMAINE"),
"libvirt URI: the argument (or --attach's) is a domain (id, UUID or name) there; without --attach the viewer connects to the domain's listen address":
 ("libvirt-URI: das Argument (oder das von --attach) ist dort eine Domain (ID, UUID oder Name); ohne --attach verbindet sich der Viewer mit der Lauschadresse der Domain",
  "URI libvirt : l’argument (ou celui de --attach) y est un domaine (id, UUID ou nom) ; sans --attach, le visualiseur se connecte à l’adresse d’écoute du domaine"),
"URI": ("URI", "URI"),
"Read the password from the first line of FILE": ("Das Passwort aus der ersten Zeile von DATEI lesen", "Lire le mot de passe sur la première ligne de FICHIER"),
"Start in full screen": ("Im Vollbild starten", "Démarrer en plein écran"),
"Window title": ("Fenstertitel", "Titre de la fenêtre"),
"TITLE": ("TITEL", "TITRE"),
"Customise hotkeys, as remote-viewer: toggle-fullscreen=shift+f11,release-cursor=shift+f12,secure-attention=ctrl+alt+end,zoom-in=...,zoom-out=...,zoom-reset=...":
 ("Tastenkürzel anpassen, wie bei remote-viewer: toggle-fullscreen=shift+f11,release-cursor=shift+f12,secure-attention=ctrl+alt+end,zoom-in=...,zoom-out=...,zoom-reset=...",
  "Personnaliser les raccourcis, comme remote-viewer : toggle-fullscreen=shift+f11,release-cursor=shift+f12,secure-attention=ctrl+alt+end,zoom-in=...,zoom-out=...,zoom-reset=..."),
"Zoom level of the window, in percent (10-400)": ("Zoomstufe des Fensters in Prozent (10-400)", "Niveau de zoom de la fenêtre, en pour cent (10-400)"),
"ZOOM": ("ZOOM", "ZOOM"),
"Reconnect whenever the connection ends": ("Neu verbinden, wann immer die Verbindung endet", "Se reconnecter chaque fois que la connexion se termine"),
"Renderer: gl or cairo (default: gl where it works)": ("Renderer: gl oder cairo (Vorgabe: gl, wo es geht)", "Moteur de rendu : gl ou cairo (par défaut : gl là où il marche)"),
"spice://HOST:PORT | spice+unix:///PATH | FILE.vv | -c URI DOMAIN": ("spice://HOST:PORT | spice+unix:///PFAD | DATEI.vv | -c URI DOMAIN", "spice://HÔTE:PORT | spice+unix:///CHEMIN | FICHIER.vv | -c URI DOMAINE"),
"--renderer: gl or cairo": ("--renderer: gl oder cairo", "--renderer : gl ou cairo"),
"--zoom: a percentage from 10 to 400": ("--zoom: ein Prozentwert von 10 bis 400", "--zoom : un pourcentage de 10 à 400"),
"give one spice:// or spice+unix:// URI or .vv file, -c URI DOMAIN, or --attach NAME|PATH|DOMAIN":
 ("eine spice://- oder spice+unix://-URI oder .vv-Datei angeben, -c URI DOMAIN, oder --attach NAME|PFAD|DOMAIN",
  "donner une URI spice:// ou spice+unix:// ou un fichier .vv, -c URI DOMAINE, ou --attach NOM|CHEMIN|DOMAINE"),
"cannot open the display": ("die Anzeige kann nicht geöffnet werden", "impossible d’ouvrir l’affichage"),
"The server closed the connection.": ("Der Server hat die Verbindung geschlossen.", "Le serveur a fermé la connexion."),
"disconnected": ("getrennt", "déconnecté"),
"%s - spicecast viewer": ("%s - spicecast-Betrachter", "%s - visionneuse spicecast"),
"the release-cursor hotkey": ("das release-cursor-Tastenkürzel", "le raccourci release-cursor"),
"(Press %s to release pointer) %s": ("(%s drücken, um den Zeiger freizugeben) %s", "(Appuyez sur %s pour libérer le pointeur) %s"),
"Disconnected from the display": ("Von der Anzeige getrennt", "Déconnecté de l’affichage"),
"_Reconnect": ("_Neu verbinden", "_Reconnecter"),
"_Close": ("_Schließen", "_Fermer"),
"Ctrl+Alt+_Del": ("Strg+Alt+_Entf", "Ctrl+Alt+_Suppr"),
"Ctrl+Alt+_Backspace": ("Strg+Alt+_Rücktaste", "Ctrl+Alt+_Retour arrière"),
"Ctrl+Alt+F_%d": ("Strg+Alt+F_%d", "Ctrl+Alt+F_%d"),
"_PrintScreen": ("_Druck", "_Impr. écran"),
"_File": ("_Datei", "_Fichier"),
"_Disconnect": ("_Trennen", "_Déconnecter"),
"_View": ("_Ansicht", "_Affichage"),
"_Full screen": ("_Vollbild", "_Plein écran"),
"Zoom _in": ("_Vergrößern", "Zoom _avant"),
"Zoom _out": ("Ver_kleinern", "Zoom a_rrière"),
"_Normal size": ("_Normale Größe", "Taille _normale"),
"Zoom to _fit": ("_Einpassen", "_Ajuster"),
"_Send key": ("_Taste senden", "_Envoyer une touche"),
"TLS certificates, as QEMU's x509-dir: ca-cert.pem, server-cert.pem, server-key.pem":
 ("TLS-Zertifikate, wie QEMUs x509-dir: ca-cert.pem, server-cert.pem, server-key.pem",
  "Certificats TLS, comme le x509-dir de QEMU : ca-cert.pem, server-cert.pem, server-key.pem"),
"DIR": ("VERZ", "RÉP"),
"Channels refused on plain TCP (clients link them over TLS): main,display,inputs,cursor or all":
 ("Auf einfachem TCP abgelehnte Kanäle (Clients verbinden sie über TLS): main,display,inputs,cursor oder all",
  "Canaux refusés en TCP simple (les clients les ouvrent en TLS) : main,display,inputs,cursor ou all"),
"open in a browser: http://%s/\\n": ("im Browser öffnen: http://%s/\\n", "ouvrir dans un navigateur : http://%s/\\n"),
"open in a browser: https://%s/\\n": ("im Browser öffnen: https://%s/\\n", "ouvrir dans un navigateur : https://%s/\\n"),
"Ask the server for the window's size whenever it changes (its agent's monitors config, as remote-viewer's resize-guest)":
 ("Den Server bei jeder Änderung um die Fenstergröße bitten (Monitorkonfiguration seines Agenten, wie resize-guest von remote-viewer)",
  "Demander au serveur la taille de la fenêtre à chaque changement (configuration des moniteurs de son agent, comme resize-guest de remote-viewer)"),
"Listen on tcp:HOST:PORT ([::1]:PORT for IPv6), tls:HOST:PORT (with --x509-dir), ws:HOST:PORT / wss:HOST:PORT (a browser page, spice-html5) or unix:PATH; repeatable":
 ("Auf tcp:HOST:PORT ([::1]:PORT für IPv6), tls:HOST:PORT (mit --x509-dir), ws:HOST:PORT / wss:HOST:PORT (eine Browserseite, spice-html5) oder unix:PFAD lauschen; mehrfach möglich",
  "Écouter sur tcp:HÔTE:PORT ([::1]:PORT pour IPv6), tls:HÔTE:PORT (avec --x509-dir), ws:HÔTE:PORT / wss:HÔTE:PORT (une page pour navigateur, spice-html5) ou unix:CHEMIN ; répétable"),
"Pass the buffer fd to local GL clients: auto (dma-bufs; shared memory to clients that map it, the default), on (shared memory to all), off":
 ("Den Puffer-fd an lokale GL-Clients geben: auto (dma-bufs; gemeinsamer Speicher an Clients, die ihn einblenden, Vorgabe), on (gemeinsamer Speicher an alle), off",
  "Passer le fd du tampon aux clients GL locaux : auto (dma-bufs ; mémoire partagée aux clients qui la projettent, par défaut), on (mémoire partagée à tous), off"),
"connect with: remote-viewer spice://%.*s?tls-port=%s --spice-ca-file=%s/ca-cert.pem\\n":
 ("verbinden mit: remote-viewer spice://%.*s?tls-port=%s --spice-ca-file=%s/ca-cert.pem\\n",
  "connexion avec : remote-viewer spice://%.*s?tls-port=%s --spice-ca-file=%s/ca-cert.pem\\n"),
"Print frame latency per stage (p50/p95/p99) every second and at the end":
 ("Bildlatenz je Stufe (p50/p95/p99) jede Sekunde und am Ende ausgeben",
  "Afficher la latence des images par étape (p50/p95/p99) chaque seconde et à la fin"),
"S_tats": ("_Statistik", "S_tatistiques"),
"_Displays": ("_Bildschirme", "É_crans"),
"Display %u": ("Bildschirm %u", "Écran %u"),
"decode": ("Dekodieren", "décodage"),
"receive -> decoded": ("Empfang -> dekodiert", "réception -> décodé"),
"decoded -> present": ("dekodiert -> angezeigt", "décodé -> affiché"),
"capture -> present": ("Aufnahme -> angezeigt", "capture -> affiché"),
"server: capture -> source": ("Server: Aufnahme -> Quelle", "serveur : capture -> source"),
"server: -> to the encoder": ("Server: -> an den Encoder", "serveur : -> à l’encodeur"),
"server: -> encode start": ("Server: -> Kodierbeginn", "serveur : -> début d’encodage"),
"server: -> encoded": ("Server: -> kodiert", "serveur : -> encodé"),
"server: -> queued": ("Server: -> eingereiht", "serveur : -> en file"),
"server: -> written": ("Server: -> gesendet", "serveur : -> envoyé"),
"%.1f fps  %s  %.0f kbit/s": ("%.1f fps  %s  %.0f kbit/s", "%.1f i/s  %s  %.0f kbit/s"),
"latency p50, 60 s (max %.1f ms)": ("Latenz p50, 60 s (max. %.1f ms)", "latence p50, 60 s (max %.1f ms)"),
}

HEAD = {"de": ("German", "de", "nplurals=2; plural=(n != 1);"),
        "fr": ("French", "fr", "nplurals=2; plural=(n > 1);")}

def entries(pot):
    """(comment lines, msgid) of a --no-wrap pot, msgid as escaped text"""
    out, block = [], []
    for para in open(pot, encoding="utf-8").read().split("\n\n"):
        lines = para.strip("\n").split("\n")
        com = [l for l in lines if l.startswith("#")]
        rest = [l for l in lines if not l.startswith("#")]
        i = next((k for k, l in enumerate(rest) if l.startswith("msgid ")), None)
        if i is None:
            continue
        j = next(k for k, l in enumerate(rest) if l.startswith("msgstr"))
        parts = [rest[i][6:]] + rest[i + 1:j]
        msgid = "".join(re.match(r'^"(.*)"$', p).group(1) for p in parts)
        out.append((com, msgid))
    return out

def main():
    pot, outdir = sys.argv[1], sys.argv[2]
    ents = entries(pot)
    for idx, lang in enumerate(("de", "fr")):
        name, code, plural = HEAD[lang]
        with open(f"{outdir}/{lang}.po", "w", encoding="utf-8") as f:
            f.write(f"# {name} translations for spicecast.\n# This file is distributed under the same license as spicecast.\n"
                    'msgid ""\nmsgstr ""\n"Project-Id-Version: spicecast\\n"\n"PO-Revision-Date: 2026-12-07 00:00+0000\\n"\n'
                    f'"Last-Translator: spicecast authors\\n"\n"Language-Team: {name}\\n"\n'
                    f'"Language: {code}\\n"\n"MIME-Version: 1.0\\n"\n'
                    '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n'
                    f'"Plural-Forms: {plural}\\n"\n')
            missing = 0
            for com, msgid in ents:
                if msgid == "":
                    continue
                tr = T.get(msgid)
                if not tr:
                    missing += 1
                f.write("\n" + "\n".join(l for l in com if not l.startswith("#,") or "c-format" in l) + "\n")
                f.write(f'msgid "{msgid}"\nmsgstr "{tr[idx] if tr else ""}"\n')
            if missing:
                print(f"{lang}: {missing} strings untranslated", file=sys.stderr)
                sys.exit(1)

main()
