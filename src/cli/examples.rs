//! What the man pages say beyond `--help`: each command's long description
//! and an example or two, attached to the clap tree only when the pages are
//! generated (`cli::docs`), so `--help` stays as the Args structs make it.
//!
//! The descriptions are adapted from docker's own man pages and command-line
//! reference (docker/cli, `man/src/` and `docs/reference/commandline/`,
//! Apache-2.0), with "docker" turned into "skiff" and what skiff does not do
//! (swarm, daemons, Windows) left out.

/// One command's page: its path without `skiff` ("container run"; "" is
/// skiff itself), its description and its examples (a caption, then the
/// commands, one per line).
pub struct Page {
    pub path: &'static str,
    pub description: &'static str,
    pub examples: &'static [(&'static str, &'static str)],
}

/// The page a command path shows: a top-level shortcut (`skiff ps`) shares
/// the page of what it stands for (`skiff container ls`, from
/// `cli::SHORTCUTS`), as in docker.
pub fn page(path: &str) -> Option<&'static Page> {
    let canonical = super::SHORTCUTS
        .iter()
        .find(|(short, _)| *short == path)
        .map_or(path, |(_, long)| long);
    PAGES.iter().find(|p| p.path == canonical)
}

pub static PAGES: &[Page] = &[
    Page {
        path: "",
        description: "skiff is a daemonless, Docker-compatible container engine in a single binary: \
            `alias docker=skiff` works for the commands it has. Each command is a short-lived process \
            that reads and writes the store under --root and --runroot; each running container has \
            one small monitor process of its own, and nothing else stays running.\n\n\
            Errors are printed to stderr as one line (`Error: ...`); --log-level debug also prints \
            what skiff does and the chain of causes. The exit code is 125 for skiff's own errors, \
            126 when the command cannot be invoked, 127 when it is not found, and otherwise the \
            container's.",
        examples: &[
            ("Run a command in a new container and remove it afterwards:", "skiff run --rm busybox echo hello"),
            ("Use skiff wherever docker is expected:", "alias docker=skiff"),
        ],
    },
    Page {
        path: "container",
        description: "Manage containers. Most commands also exist at the top level: \
            `skiff container ls` is `skiff ps`.",
        examples: &[("List all containers, running or not:", "skiff container ls -a")],
    },
    Page {
        path: "image",
        description: "Manage images.",
        examples: &[("List images:", "skiff image ls")],
    },
    Page {
        path: "builder",
        description: "Manage builds: build an image, or remove the build cache.",
        examples: &[("Remove the build cache:", "skiff builder prune -f")],
    },
    Page {
        path: "network",
        description: "Manage networks. You can use subcommands to create, inspect, list, remove, \
            prune, connect, and disconnect networks.",
        examples: &[("Create a network and run a container on it:", "skiff network create mynet\nskiff run -d --network mynet --name web nginx")],
    },
    Page {
        path: "volume",
        description: "Manage volumes. You can use subcommands to create, inspect, list, remove, \
            or prune volumes. A volume is a directory in skiff's store that containers mount \
            (`-v NAME:/path`); it outlives them.",
        examples: &[("Create a volume and use it from a container:", "skiff volume create data\nskiff run --rm -v data:/data busybox ls /data")],
    },
    Page {
        path: "system",
        description: "Manage skiff: display system-wide information, and check the store for problems.",
        examples: &[("Display system-wide information:", "skiff system info")],
    },
    Page {
        path: "container run",
        description: "Run a process in a new container. `skiff run` starts a process with its own \
            file system, its own networking, and its own isolated process tree. The IMAGE which \
            starts the process may define defaults related to the process that will be run in the \
            container, the networking to expose, and more, but `skiff run` gives final control to \
            the operator who starts the container from the image.\n\n\
            If the IMAGE is not already present, `skiff run` pulls it, and all image dependencies, \
            from the registry in the same way as `skiff pull` IMAGE, before it starts the container \
            from that image.",
        examples: &[
            ("Run an interactive shell, removed on exit:", "skiff run -it --rm alpine sh"),
            ("Run nginx in the background, published on port 8080 of the host:", "skiff run -d --name web -p 8080:80 nginx"),
            ("Serve a host directory read-only, and keep logs in a named volume:", "skiff run -d -v \"$PWD/site\":/usr/share/nginx/html:ro -v logs:/var/log/nginx nginx"),
        ],
    },
    Page {
        path: "container cp",
        description: "Copy files/folders between a container and the local filesystem, running \
            or stopped. A directory is copied recursively; a path ending in /. copies a \
            directory's contents; a missing destination is created. Paths in the container \
            resolve inside its root (a symlink in it never leads to the host) and reach its \
            volumes and binds. Use - as the source to extract a tar from stdin into a \
            directory of the container, or as the destination to write a tar to stdout.",
        examples: &[
            ("Copy a file from the host into a container:", "skiff cp ./config.yml web:/etc/app/"),
            ("Copy a container's directory to the host:", "skiff cp web:/var/log/nginx ./logs"),
            ("Stream a directory out as a tar:", "skiff cp web:/srv - > srv.tar"),
        ],
    },
    Page {
        path: "container diff",
        description: "List the changed files and directories in a container's filesystem since \
            the container was created: A (added), C (changed), D (deleted). The mountpoints skiff \
            makes (/proc, /etc/hosts, volume directories) are not changes.",
        examples: &[("See what a container changed:", "skiff diff web")],
    },
    Page {
        path: "container commit",
        description: "Create a new image from a container's changes: the container's image with \
            one more layer holding what the container wrote, and its configuration, changed by \
            --change instructions (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, \
            USER, VOLUME, WORKDIR). Volumes are not part of it. A running container is paused \
            meanwhile unless --pause=false. Without a tag, latest.",
        examples: &[
            ("Commit a container:", "skiff commit web myrepo/web:v2"),
            ("Commit with a new command and a message:", "skiff commit -c 'CMD [\"nginx\", \"-g\", \"daemon off;\"]' -m 'tuned' web myrepo/web:v3"),
        ],
    },
    Page {
        path: "container export",
        description: "Export a container's filesystem as a tar archive (not the contents of its \
            volumes), to STDOUT or, with -o, to a file written whole or not at all.",
        examples: &[("Export a container:", "skiff export -o web.tar web")],
    },
    Page {
        path: "container create",
        description: "Creates a writeable container layer over the specified image and prepares it \
            for running the specified command. The container ID is then printed to STDOUT. This is \
            similar to `skiff run -d` except the container is never started. You can then use the \
            `skiff start <container_id>` command to start the container at any point.\n\n\
            The initial status of the container created with `skiff create` is 'created'.",
        examples: &[("Create a container, then start it attached:", "skiff create --name hello busybox echo hello\nskiff start -a hello")],
    },
    Page {
        path: "container start",
        description: "Start one or more stopped containers.",
        examples: &[("Start a container and attach to its output:", "skiff start -a mycontainer")],
    },
    Page {
        path: "container stop",
        description: "Stop one or more running containers. The main process inside the container \
            receives SIGTERM, and after a grace period, SIGKILL. The first signal can be changed \
            with the STOPSIGNAL instruction in the image, or the --stop-signal option to \
            `skiff run` and `skiff create`.",
        examples: &[("Stop a container, waiting 30 seconds before SIGKILL:", "skiff stop -t 30 mycontainer")],
    },
    Page {
        path: "container restart",
        description: "Restart each container listed: stop it as `skiff stop` does, then start it again.",
        examples: &[("Restart a container:", "skiff restart mycontainer")],
    },
    Page {
        path: "container kill",
        description: "The `skiff kill` subcommand kills one or more containers. The main process \
            inside the container is sent SIGKILL (default), or the signal that is specified with \
            the --signal option. You can reference a container by its ID, ID-prefix, or name.\n\n\
            The signal can be a signal name in the format SIG<NAME>, for instance SIGINT, or an \
            unsigned number, for instance 2. While the default (SIGKILL) signal terminates the \
            container, the signal set through --signal may be non-terminal, depending on the \
            container's main process.",
        examples: &[
            ("Send the default KILL signal:", "skiff kill mycontainer"),
            ("Send a SIGHUP:", "skiff kill --signal=SIGHUP mycontainer"),
        ],
    },
    Page {
        path: "container wait",
        description: "Block until one or more containers stop, then print their exit codes.",
        examples: &[("Wait for a container started in the background:", "skiff run -d --name sleeper busybox sleep 5\nskiff wait sleeper")],
    },
    Page {
        path: "container logs",
        description: "The `skiff logs` command batch-retrieves whatever logs are present for a \
            container at the time of execution.\n\n\
            The `skiff logs --follow` command first returns all logs from the beginning and then \
            continues streaming new output from the container's stdout and stderr. The --since and \
            --until options can be Unix timestamps, date formatted timestamps, or Go duration \
            strings (e.g. 10m, 1h30m) computed relative to the client machine's time.",
        examples: &[
            ("Show the last 10 lines with timestamps:", "skiff logs -t --tail 10 mycontainer"),
            ("Follow the output of the last minute:", "skiff logs -f --since 1m mycontainer"),
        ],
    },
    Page {
        path: "container attach",
        description: "Use `skiff attach` to attach your terminal's standard input, output, and \
            error (or any combination of the three) to a running container using the container's \
            ID or name. This lets you view its output or control it interactively, as though the \
            commands were running directly in your terminal. You can attach to the same contained \
            process multiple times simultaneously.\n\n\
            If the container was run with -i and -t, you can detach from it and leave it running \
            using the CTRL-p CTRL-q key sequence.",
        examples: &[("Attach to a container running top:", "skiff run -d --name topdemo alpine top -b\nskiff attach topdemo")],
    },
    Page {
        path: "container ls",
        description: "List the containers in the store. By default this shows only the running \
            containers; -a shows all of them.\n\n\
            The formatting option (--format) pretty-prints container output using a Go template; \
            valid placeholders include .ID, .Image, .Command, .CreatedAt, .RunningFor, .Ports, \
            .Status, .Names, .Labels, .Label, .Mounts and .Networks.",
        examples: &[
            ("Display all containers, including non-running:", "skiff ps -a"),
            ("Display only the names and status of running containers:", "skiff ps --format '{{.Names}}\\t{{.Status}}'"),
        ],
    },
    Page {
        path: "container rm",
        description: "Remove one or more containers. The container name or ID can be used. This \
            does not remove images. You cannot remove a running container unless you use the -f \
            option. To see all containers use the `skiff ps -a` command.",
        examples: &[
            ("Remove a container by name:", "skiff rm hopeful_morse"),
            ("Remove a running container:", "skiff rm -f web"),
        ],
    },
    Page {
        path: "container inspect",
        description: "Display detailed information on one or more containers, as a JSON array by \
            default. If a format is specified, the given Go template is executed for each result.",
        examples: &[("Get a container's IP address:", "skiff container inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' web")],
    },
    Page {
        path: "container rename",
        description: "Rename a container. The container may be running, paused or stopped.",
        examples: &[("Rename a container:", "skiff rename my_container my_new_container")],
    },
    Page {
        path: "container top",
        description: "Display the running processes of a container. PS_OPTIONS can be any of the \
            options you would pass to a Linux ps command. All displayed information is from the \
            host's point of view.",
        examples: &[("Show a container's processes with their PIDs on the host:", "skiff top mycontainer")],
    },
    Page {
        path: "container port",
        description: "List port mappings for the CONTAINER, or look up the public-facing port that \
            is NAT-ed to the PRIVATE_PORT.",
        examples: &[
            ("Find out all the ports mapped:", "skiff port web"),
            ("Find out a specific mapping:", "skiff port web 80/tcp"),
        ],
    },
    Page {
        path: "container prune",
        description: "Removes all stopped containers.",
        examples: &[("Remove all stopped containers without asking:", "skiff container prune -f")],
    },
    Page {
        path: "container exec",
        description: "The `skiff exec` command runs a new command in a running container.\n\n\
            The command you specify with `skiff exec` only runs while the container's primary \
            process (PID 1) is running, and it isn't restarted if the container is restarted. The \
            command runs in the default working directory of the container. The command must be an \
            executable: a chained or a quoted command doesn't work.\n\n\
            The exit code is the command's, or 126 if it cannot be invoked, or 127 if it is not found.",
        examples: &[
            ("Run a shell in a running container:", "skiff exec -it mycontainer sh"),
            ("Run a chained command:", "skiff exec mycontainer sh -c 'echo a && echo b'"),
        ],
    },
    Page {
        path: "container pause",
        description: "The `skiff pause` command suspends all processes in the specified containers. \
            This uses the freezer cgroup: unlike SIGSTOP, the processes are unaware, and unable to \
            capture, that they are being suspended, and subsequently resumed.",
        examples: &[("Pause a container:", "skiff pause mycontainer")],
    },
    Page {
        path: "container unpause",
        description: "The `skiff unpause` command un-suspends all processes in the specified \
            containers, using the freezer cgroup.",
        examples: &[("Unpause a container:", "skiff unpause mycontainer")],
    },
    Page {
        path: "image ls",
        description: "This command lists the images stored in the local store. The output includes \
            repository, tag, image ID, date created and size. The image ID is truncated for space \
            reasons; the truncated ID is enough to be used in other commands.\n\n\
            The optional [REPOSITORY[:TAG]] argument restricts the list to images that match it; \
            it must be an exact match.",
        examples: &[
            ("List all images:", "skiff images"),
            ("List only dangling images' IDs:", "skiff images -q --filter dangling=true"),
        ],
    },
    Page {
        path: "image pull",
        description: "This command pulls down an image from a registry. If no tag is provided, the \
            :latest tag is used. If you do not specify a registry host, the command uses Docker's \
            public registry, docker.io, and a name without a slash is in its library/ namespace.\n\n\
            Layers can be shared by images: pulling an image whose layers are already present \
            only pulls its metadata.",
        examples: &[
            ("Pull an image from Docker Hub:", "skiff pull debian"),
            ("Pull from a local registry over plain HTTP:", "skiff pull localhost:5000/library/busybox"),
        ],
    },
    Page {
        path: "image tag",
        description: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE: a new name for the \
            entire image, including the optional TAG after the ':'. If the tag is not specified, \
            latest is used.",
        examples: &[
            ("Tag an image referenced by name:", "skiff tag httpd fedora/httpd:version1.0"),
            ("Tag an image for a private registry:", "skiff tag 0e5574283393 myregistryhost:5000/fedora/httpd:version1.0"),
        ],
    },
    Page {
        path: "image rm",
        description: "Removes (and un-tags) one or more images. If an image has multiple tags, using \
            this command with the tag as a parameter only removes the tag. If the tag is the only \
            one for the image, both the image and the tag are removed.\n\n\
            This does not remove images from a registry. You cannot remove an image of a container \
            unless you use the -f option.",
        examples: &[("Remove an image:", "skiff rmi fedora/httpd")],
    },
    Page {
        path: "image inspect",
        description: "Display detailed information on one or more images, as a JSON array by \
            default. If a format is specified, the given Go template is executed for each result.",
        examples: &[("Show an image's entrypoint and command:", "skiff image inspect --format '{{.Config.Entrypoint}} {{.Config.Cmd}}' nginx")],
    },
    Page {
        path: "image history",
        description: "Show the history of when and how an image was created, one line per layer.",
        examples: &[("Show the history of an image:", "skiff history busybox")],
    },
    Page {
        path: "image save",
        description: "Produces a tarred repository to the standard output stream. It contains all \
            parent layers, and all tags, or the specified repo:tag. Stream to a file instead of \
            STDOUT by using -o.",
        examples: &[("Save an image to a tar archive:", "skiff save --output busybox.tar busybox:latest")],
    },
    Page {
        path: "image load",
        description: "Loads a tarred repository from a file or the standard input stream. Restores \
            both images and tags, and writes the image names or IDs it imported to standard output.",
        examples: &[("Load an image saved with skiff save or docker save:", "skiff load --input busybox.tar")],
    },
    Page {
        path: "image prune",
        description: "Remove all dangling images. If -a is specified, also remove all images not \
            referenced by any container.",
        examples: &[("Remove every image no container uses, without asking:", "skiff image prune -a -f")],
    },
    Page {
        path: "network connect",
        description: "Connects a container to a network. You can connect a container by name or by \
            ID. Once connected, the container can communicate with other containers in the same \
            network, by IP address or by name. You can also use `skiff run --network=<name>` to \
            start a container and immediately connect it to a network.",
        examples: &[
            ("Connect a container to a network:", "skiff network connect mynet container1"),
            ("Connect it with a static address:", "skiff network connect --ip 172.20.128.2 mynet container2"),
        ],
    },
    Page {
        path: "network disconnect",
        description: "Disconnects a container from a network.",
        examples: &[("Disconnect a container:", "skiff network disconnect mynet container1")],
    },
    Page {
        path: "network create",
        description: "Creates a new network. The DRIVER accepts bridge or macvlan. If you don't \
            specify the --driver option, the command creates a bridge network. A container on a \
            user-defined network reaches the others on it by name, through the DNS server at \
            127.0.0.11 in the container. An --internal network has no route outside.",
        examples: &[
            ("Create a bridge network:", "skiff network create -d bridge my-bridge-network"),
            ("Choose the subnet and the range addresses are allocated from:", "skiff network create --subnet 172.20.0.0/16 --ip-range 172.20.240.0/20 mynet"),
        ],
    },
    Page {
        path: "network inspect",
        description: "Returns information about one or more networks. By default, this command \
            renders all results in a JSON array, with the containers connected to each network. \
            You can specify an alternate format to execute a given Go template for each result.",
        examples: &[("Show a network's subnet:", "skiff network inspect --format '{{range .IPAM.Config}}{{.Subnet}}{{end}}' bridge")],
    },
    Page {
        path: "network ls",
        description: "Lists all the networks skiff knows about, including the built-in bridge, \
            host and none.",
        examples: &[
            ("List networks:", "skiff network ls"),
            ("List only bridge networks, with full IDs:", "skiff network ls --no-trunc --filter driver=bridge"),
        ],
    },
    Page {
        path: "network prune",
        description: "Remove all unused networks. Unused networks are those which are not \
            referenced by any containers.",
        examples: &[("Remove all unused networks without asking:", "skiff network prune -f")],
    },
    Page {
        path: "network rm",
        description: "Removes one or more networks by name or identifier. To remove a network, you \
            must first disconnect any containers connected to it. When you specify multiple \
            networks, the command attempts to delete each in turn: if the deletion of one network \
            fails, it continues to the next on the list.",
        examples: &[("Remove two networks:", "skiff network rm 3695c422697f my-network")],
    },
    Page {
        path: "volume create",
        description: "Creates a new volume that containers can consume and store data in. If a \
            name is not specified, skiff generates a random name. Creating a volume that exists \
            already gives that volume. The local driver's options mount a tmpfs \
            (`-o type=tmpfs -o o=size=100m`) or bind a host directory \
            (`-o type=none -o o=bind -o device=/srv/data`) in its place.",
        examples: &[
            ("Create a volume:", "skiff volume create hello"),
            ("Create a tmpfs volume with a label:", "skiff volume create --label tier=cache -o type=tmpfs -o device=tmpfs -o o=size=64m cache"),
        ],
    },
    Page {
        path: "volume inspect",
        description: "Returns information about a volume. By default, this command renders all \
            results in a JSON array. You can specify an alternate format to execute a given \
            template for each result.",
        examples: &[("Show where a volume's data is:", "skiff volume inspect --format '{{ .Mountpoint }}' myvolume")],
    },
    Page {
        path: "volume ls",
        description: "List all the volumes skiff knows about. You can filter using the -f or \
            --filter flag (dangling, name, label, driver).",
        examples: &[
            ("List volumes:", "skiff volume ls"),
            ("List the volumes no container uses:", "skiff volume ls --filter dangling=true"),
        ],
    },
    Page {
        path: "volume prune",
        description: "Remove all unused local volumes. Unused local volumes are those which are \
            not referenced by any containers. By default, it only removes anonymous volumes \
            (those a container made for itself); with --all, every unused one.",
        examples: &[("Remove every unused volume without asking:", "skiff volume prune -a -f")],
    },
    Page {
        path: "volume rm",
        description: "Remove one or more volumes. You can't remove a volume that is in use by a \
            container, running or not.",
        examples: &[("Remove a volume:", "skiff volume rm hello")],
    },
    Page {
        path: "image build",
        description: "Build an image from a Dockerfile and a context directory (or a tar \
            on STDIN with -), with skiff's own builder: no daemon. Each RUN runs in a container of \
            skiff's runtime; every step is cached by its instruction, the build args it uses and \
            the content it copies, so a rebuild with nothing changed runs nothing and gives the \
            same image. Progress goes to STDERR in BuildKit's plain form; -q prints only the ID.",
        examples: &[
            ("Build and tag the Dockerfile in the current directory:", "skiff build -t myapp:1 ."),
            ("Build one stage of a multi-stage Dockerfile with a build arg:", "skiff build --target build --build-arg VERSION=2 -t myapp:build ."),
            ("Build from a Dockerfile on STDIN:", "printf 'FROM busybox\\nRUN echo hi\\n' | skiff build -q -f - ."),
        ],
    },
    Page {
        path: "builder prune",
        description: "Remove the build cache: every cached step, and the layers only the cache \
            held. The next build runs every step again.",
        examples: &[("Empty the build cache without asking:", "skiff builder prune -f")],
    },
    Page {
        path: "image import",
        description: "Import the contents of a tarball (a file, an http(s) URL, or - for STDIN; \
            plain, gzip or zstd) as a filesystem image of one layer, optionally tagged, with \
            --change instructions applied to its configuration.",
        examples: &[
            ("Import from a file:", "skiff import rootfs.tar myrepo/base:1"),
            ("Import from STDIN with a command:", "cat rootfs.tar | skiff import -c 'CMD [\"/bin/sh\"]' - myrepo/base:2"),
        ],
    },
    Page {
        path: "image push",
        description: "Upload an image to its registry. Blobs the registry has are skipped, blobs \
            it has in another repository the image came from are mounted, the rest are uploaded \
            as the store holds them: a pulled image is pushed byte for byte, so its manifest \
            digest stays the same. Credentials come from login (or --creds).",
        examples: &[
            ("Tag an image for a registry and push it:", "skiff tag busybox localhost:5000/busybox:v1\nskiff push localhost:5000/busybox:v1"),
            ("Push every tag of a repository:", "skiff push --all-tags localhost:5000/busybox"),
        ],
    },
    Page {
        path: "login",
        description: "Log in to a registry: the credentials are checked against it first, then \
            stored in ~/.docker/config.json (mode 0600; $DOCKER_CONFIG/config.json if set) or in \
            the credential helper it names (credHelpers, credsStore). Without a terminal, the \
            password must come from --password-stdin: skiff never prompts then.",
        examples: &[("Log in from a script:", "echo \"$TOKEN\" | skiff login -u ci --password-stdin registry.example.com")],
    },
    Page {
        path: "logout",
        description: "Log out from a registry: its stored credentials are removed.",
        examples: &[("Log out:", "skiff logout registry.example.com")],
    },
    Page {
        path: "search",
        description: "Search a registry for images. The term names the registry \
            (REGISTRY/TERM): its catalog is read and the repositories whose name holds TERM \
            are listed. Such registries have no stars, descriptions or official images.",
        examples: &[("Search a local registry:", "skiff search localhost:5000/busy")],
    },
    Page {
        path: "system info",
        description: "This command displays system wide information regarding the skiff \
            installation: the kernel version, the number of containers and images, the storage \
            driver, the cgroup version and driver. The number of images shown is the number of \
            unique images: the same image tagged under different names is counted only once.",
        examples: &[
            ("Display system information:", "skiff info"),
            ("Show only the cgroup version:", "skiff info --format '{{.CgroupVersion}}'"),
        ],
    },
    Page {
        path: "system check",
        description: "Check the store for what killed commands left behind (half-created \
            containers, name reservations, layers being unpacked or removed, temp files) and for \
            inconsistencies, and list them. With --repair, remove what is safe to remove. Anything \
            a live command holds (a locked object, or an unlocked leftover younger than 10 \
            seconds) is left alone. This command has no docker counterpart.",
        examples: &[
            ("List problems:", "skiff system check"),
            ("Repair them:", "skiff system check --repair"),
        ],
    },
    Page {
        path: "inspect",
        description: "This displays the low-level information on skiff objects (containers, \
            images, networks, volumes) identified by name or ID. By default, this renders all results in a \
            JSON array. If the container and image have the same name, this returns the container \
            unless --type says otherwise. If a format is specified, the given template is executed \
            for each result.",
        examples: &[
            ("Get an image's information when a container has the same name:", "skiff inspect --type=image busybox"),
            ("Get a container's log path:", "skiff inspect --format='{{.LogPath}}' mycontainer"),
        ],
    },
    Page {
        path: "version",
        description: "Show the skiff version information.",
        examples: &[("Show only the version:", "skiff version --format '{{.Client.Version}}'")],
    },
];
