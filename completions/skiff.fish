# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_skiff_global_optspecs
    string join \n root= runroot= log-level= noout= storage-driver= v/version= h/help
end

function __fish_skiff_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_skiff_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_skiff_using_subcommand
    set -l cmd (__fish_skiff_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c skiff -n "__fish_skiff_needs_command" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_needs_command" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_needs_command" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_needs_command" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_needs_command" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_needs_command" -s v -l version -d 'Print version information and quit' -r
complete -c skiff -n "__fish_skiff_needs_command" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "container" -d 'Manage containers'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "image" -d 'Manage images'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "network" -d 'Manage networks'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "system" -d 'Manage skiff'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "volume" -d 'Manage volumes'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "run" -d 'Create and run a new container from an image'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "builder" -d 'Manage builds'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "create" -d 'Create a new container'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "start" -d 'Start one or more stopped containers'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "stop" -d 'Stop one or more running containers'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "restart" -d 'Restart one or more containers'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "kill" -d 'Kill one or more running containers'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "logs" -d 'Fetch the logs of a container'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "exec" -d 'Execute a command in a running container'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "cp" -d 'Copy files/folders between a container and the local filesystem'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "rename" -d 'Rename a container'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "top" -d 'Display the running processes of a container'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "port" -d 'List port mappings of a container'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "ps" -d 'List containers'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "rm" -d 'Remove one or more containers'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "images" -d 'List images'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "pull" -d 'Pull an image from a registry'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "push" -d 'Upload an image to a registry'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "login" -d 'Log in to a registry'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "logout" -d 'Log out from a registry'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "search" -d 'Search a registry for images'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "rmi" -d 'Remove one or more images'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "history" -d 'Show the history of an image'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "save" -d 'Save one or more images to a tar archive'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "import" -d 'Import the contents from a tarball to create a filesystem image'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "load" -d 'Load an image from a tar archive or STDIN'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "inspect" -d 'Return low-level information on skiff objects'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "version" -d 'Show the skiff version information'
complete -c skiff -n "__fish_skiff_needs_command" -f -a "info" -d 'Display system-wide information'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "run" -d 'Create and run a new container from an image'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "create" -d 'Create a new container'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "start" -d 'Start one or more stopped containers'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "stop" -d 'Stop one or more running containers'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "restart" -d 'Restart one or more containers'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "kill" -d 'Kill one or more running containers'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "logs" -d 'Fetch the logs of a container'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "ls" -d 'List containers'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "list" -d 'List containers'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "ps" -d 'List containers'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "rm" -d 'Remove one or more containers'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "remove" -d 'Remove one or more containers'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "inspect" -d 'Display detailed information on one or more containers'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "cp" -d 'Copy files/folders between a container and the local filesystem'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "rename" -d 'Rename a container'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "top" -d 'Display the running processes of a container'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "port" -d 'List port mappings of a container'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "prune" -d 'Remove all stopped containers'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "exec" -d 'Execute a command in a running container'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c skiff -n "__fish_skiff_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill wait logs attach ls list ps rm remove inspect cp diff commit export rename top port prune exec pause unpause" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -s d -l detach -d 'Run container in background and print container ID' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l sig-proxy -d 'Proxy received signals to the process' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l name -d 'Assign a name to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l replace -d 'Remove a container of the same name first (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -s e -l env -d 'Set environment variables' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -s l -l label -d 'Set meta data on a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -s h -l hostname -d 'Container host name' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -s i -l interactive -d 'Keep STDIN open even if not attached' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -s t -l tty -d 'Allocate a pseudo-TTY' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l rm -d 'Automatically remove the container and its associated anonymous volumes when it exits' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l init -d 'Run an init inside the container that forwards signals and reaps processes' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l restart -d 'Restart policy to apply when a container exits' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l stop-signal -d 'Signal to stop the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l log-driver -d 'Logging driver for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l log-opt -d 'Log driver options' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l network -l net -d 'Connect a container to a network' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -s p -l publish -d 'Publish a container\'s port(s) to the host' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -s P -l publish-all -d 'Publish all exposed ports to random ports' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l expose -d 'Expose a port or a range of ports' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l ip -d 'IPv4 address (e.g., 172.30.100.104)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l mac-address -d 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l network-alias -l net-alias -d 'Add network-scoped alias for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l dns -d 'Set custom DNS servers' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l dns-search -d 'Set custom DNS search domains' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l dns-option -l dns-opt -d 'Set DNS options' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l link -d 'Add link to another container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -s m -l memory -d 'Memory limit' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l cpus -d 'Number of CPUs' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l pids-limit -d 'Tune container pids limit (set -1 for unlimited)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l shm-size -d 'Size of /dev/shm' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l ulimit -d 'Ulimit options' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l cgroup-parent -d 'Optional parent cgroup for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l kernel-memory -d 'Kernel memory limit (deprecated and ignored, as in docker)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l privileged -d 'Give extended privileges to this container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l device -d 'Add a host device to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l device-cgroup-rule -d 'Add a rule to the cgroup allowed devices list' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l cap-add -d 'Add Linux capabilities' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l security-opt -d 'Security Options' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l read-only -d 'Mount the container\'s root filesystem as read only' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l pid -d 'PID namespace to use' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l ipc -d 'IPC mode to use' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l uts -d 'UTS namespace to use' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l userns -d 'User namespace to use (host; keep-id: rootless, your own uid inside, as podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -s v -l volume -d 'Bind mount a volume' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l mount -d 'Attach a filesystem mount to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l tmpfs -d 'Mount a tmpfs directory' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l volumes-from -d 'Mount volumes from the specified container(s)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l storage-opt -d 'Storage driver options for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l pull -d 'Pull image before running ("always", "missing", "never")' -r -f -a "missing\t''
always\t''
never\t''"
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from run" -l help -d 'Print help (-h is --hostname, as in docker)'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l name -d 'Assign a name to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l replace -d 'Remove a container of the same name first (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -s e -l env -d 'Set environment variables' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -s l -l label -d 'Set meta data on a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -s h -l hostname -d 'Container host name' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -s i -l interactive -d 'Keep STDIN open even if not attached' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -s t -l tty -d 'Allocate a pseudo-TTY' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l rm -d 'Automatically remove the container and its associated anonymous volumes when it exits' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l init -d 'Run an init inside the container that forwards signals and reaps processes' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l restart -d 'Restart policy to apply when a container exits' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l stop-signal -d 'Signal to stop the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l log-driver -d 'Logging driver for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l log-opt -d 'Log driver options' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l network -l net -d 'Connect a container to a network' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -s p -l publish -d 'Publish a container\'s port(s) to the host' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -s P -l publish-all -d 'Publish all exposed ports to random ports' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l expose -d 'Expose a port or a range of ports' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l ip -d 'IPv4 address (e.g., 172.30.100.104)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l mac-address -d 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l network-alias -l net-alias -d 'Add network-scoped alias for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l dns -d 'Set custom DNS servers' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l dns-search -d 'Set custom DNS search domains' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l dns-option -l dns-opt -d 'Set DNS options' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l link -d 'Add link to another container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -s m -l memory -d 'Memory limit' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l cpus -d 'Number of CPUs' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l pids-limit -d 'Tune container pids limit (set -1 for unlimited)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l shm-size -d 'Size of /dev/shm' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l ulimit -d 'Ulimit options' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l cgroup-parent -d 'Optional parent cgroup for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l kernel-memory -d 'Kernel memory limit (deprecated and ignored, as in docker)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l privileged -d 'Give extended privileges to this container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l device -d 'Add a host device to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l device-cgroup-rule -d 'Add a rule to the cgroup allowed devices list' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l cap-add -d 'Add Linux capabilities' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l security-opt -d 'Security Options' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l read-only -d 'Mount the container\'s root filesystem as read only' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l pid -d 'PID namespace to use' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l ipc -d 'IPC mode to use' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l uts -d 'UTS namespace to use' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l userns -d 'User namespace to use (host; keep-id: rootless, your own uid inside, as podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -s v -l volume -d 'Bind mount a volume' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l mount -d 'Attach a filesystem mount to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l tmpfs -d 'Mount a tmpfs directory' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l volumes-from -d 'Mount volumes from the specified container(s)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l storage-opt -d 'Storage driver options for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l pull -d 'Pull image before running ("always", "missing", "never")' -r -f -a "missing\t''
always\t''
never\t''"
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from create" -l help -d 'Print help (-h is --hostname, as in docker)'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from start" -l all -d 'Start all containers that are not running (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from start" -s f -l filter -d 'Only the containers matching a filter, as ps\'s (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from start" -s a -l attach -d 'Attach STDOUT/STDERR and forward signals' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from start" -s i -l interactive -d 'Attach container\'s STDIN' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from start" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from start" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from start" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from start" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from start" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from start" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from stop" -s a -l all -d 'Act on all containers (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from stop" -s f -l filter -d 'Act on the containers matching a filter, as ps\'s (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from stop" -s l -l latest -d 'Act on the latest created container (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from stop" -s i -l ignore -d 'Ignore errors when a named container does not exist (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from stop" -s t -l timeout -d 'Seconds to wait before killing the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from stop" -l time -d 'Seconds to wait before killing the container (deprecated: --timeout)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from stop" -s s -l signal -d 'Signal to send to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from stop" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from stop" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from stop" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from stop" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from stop" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from restart" -s a -l all -d 'Act on all containers (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from restart" -s f -l filter -d 'Act on the containers matching a filter, as ps\'s (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from restart" -s l -l latest -d 'Act on the latest created container (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from restart" -s i -l ignore -d 'Ignore errors when a named container does not exist (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from restart" -s t -l timeout -d 'Seconds to wait before killing the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from restart" -l time -d 'Seconds to wait before killing the container (deprecated: --timeout)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from restart" -s s -l signal -d 'Signal to send to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from restart" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from restart" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from restart" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from restart" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from restart" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from kill" -s a -l all -d 'Act on all containers (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from kill" -s f -l filter -d 'Act on the containers matching a filter, as ps\'s (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from kill" -s l -l latest -d 'Act on the latest created container (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from kill" -s i -l ignore -d 'Ignore errors when a named container does not exist (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from kill" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from kill" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from kill" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from kill" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from kill" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from kill" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from wait" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from wait" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from wait" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from wait" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from wait" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from wait" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Follow log output' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from logs" -s n -l tail -d 'Number of lines to show from the end of the logs ("all" for all)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from logs" -s t -l timestamps -d 'Show timestamps' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from logs" -l since -d 'Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from logs" -l until -d 'Show logs before a timestamp or relative time' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from logs" -l details -d 'Show extra details (accepted)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from logs" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from logs" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from logs" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from logs" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from logs" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from attach" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from attach" -l no-stdin -d 'Do not attach STDIN' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from attach" -l sig-proxy -d 'Proxy all received signals to the process' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from attach" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from attach" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from attach" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from attach" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from attach" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from attach" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -l external -d 'Also show containers made by other tools (podman; skiff has none)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all containers (default shows just running)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output based on conditions provided' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -s l -l latest -d 'Show the latest created container (includes all states)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display container IDs' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -l sort -d 'Sort by command, created, id, image, names, runningfor, size or status, ascending (podman)' -r -f -a "command\t''
created\t''
id\t''
image\t''
names\t''
runningfor\t''
size\t''
status\t''"
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -l noheading -d 'Do not print the table\'s header (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -s s -l size -d 'Display total file sizes' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -l external -d 'Also show containers made by other tools (podman; skiff has none)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all containers (default shows just running)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output based on conditions provided' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -s l -l latest -d 'Show the latest created container (includes all states)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display container IDs' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -l sort -d 'Sort by command, created, id, image, names, runningfor, size or status, ascending (podman)' -r -f -a "command\t''
created\t''
id\t''
image\t''
names\t''
runningfor\t''
size\t''
status\t''"
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -l noheading -d 'Do not print the table\'s header (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -s s -l size -d 'Display total file sizes' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -l external -d 'Also show containers made by other tools (podman; skiff has none)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -s a -l all -d 'Show all containers (default shows just running)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -s f -l filter -d 'Filter output based on conditions provided' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -s l -l latest -d 'Show the latest created container (includes all states)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -l no-trunc -d 'Don\'t truncate output' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -s q -l quiet -d 'Only display container IDs' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -l sort -d 'Sort by command, created, id, image, names, runningfor, size or status, ascending (podman)' -r -f -a "command\t''
created\t''
id\t''
image\t''
names\t''
runningfor\t''
size\t''
status\t''"
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -l noheading -d 'Do not print the table\'s header (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -s s -l size -d 'Display total file sizes' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from ps" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rm" -s a -l all -d 'Remove all containers (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rm" -s i -l ignore -d 'Ignore errors when a named container does not exist (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rm" -s t -l time -d 'Seconds to wait for a running container to stop before killing it (podman; with --force)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rm" -s v -l volumes -d 'Remove anonymous volumes associated with the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rm" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rm" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rm" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rm" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from remove" -s a -l all -d 'Remove all containers (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from remove" -s i -l ignore -d 'Ignore errors when a named container does not exist (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from remove" -s t -l time -d 'Seconds to wait for a running container to stop before killing it (podman; with --force)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from remove" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from remove" -s v -l volumes -d 'Remove anonymous volumes associated with the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from remove" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from remove" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from remove" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from remove" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from remove" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a custom template: \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from inspect" -s s -l size -d 'Display total file sizes' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from inspect" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from inspect" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from inspect" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from inspect" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from cp" -s a -l archive -d 'Archive mode (copy all uid/gid information)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from cp" -s L -l follow-link -d 'Always follow symbol link in SRC_PATH' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from cp" -s q -l quiet -d 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from cp" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from cp" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from cp" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from cp" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from cp" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from cp" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from diff" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from diff" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from diff" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from diff" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from diff" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from commit" -s a -l author -d 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from commit" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from commit" -s m -l message -d 'Commit message' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from commit" -s p -l pause -d 'Pause container during commit' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from commit" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from commit" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from commit" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from commit" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from commit" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from commit" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from export" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from export" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from export" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from export" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from export" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rename" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rename" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rename" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rename" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rename" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from top" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from top" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from top" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from top" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from top" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from top" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from port" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from port" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from port" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from port" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from port" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from port" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (e.g. "until=<timestamp>")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from prune" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from prune" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from prune" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from prune" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -s d -l detach -d 'Detached mode: run command in the background' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -s i -l interactive -d 'Keep STDIN open even if not attached' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -s t -l tty -d 'Allocate a pseudo-TTY' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -s e -l env -d 'Set environment variables' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -l privileged -d 'Give extended privileges to the command' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -l detach-keys -d 'Override the key sequence for detaching (accepted)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from exec" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from pause" -s a -l all -d 'Act on all containers (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from pause" -s f -l filter -d 'Act on the containers matching a filter, as ps\'s (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from pause" -s l -l latest -d 'Act on the latest created container (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from pause" -s i -l ignore -d 'Ignore errors when a named container does not exist (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from pause" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from pause" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from pause" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from pause" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from pause" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from unpause" -s a -l all -d 'Act on all containers (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from unpause" -s f -l filter -d 'Act on the containers matching a filter, as ps\'s (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from unpause" -s l -l latest -d 'Act on the latest created container (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from unpause" -s i -l ignore -d 'Ignore errors when a named container does not exist (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from unpause" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from unpause" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from unpause" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from unpause" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from unpause" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand container; and __fish_seen_subcommand_from unpause" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "ls" -d 'List images'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "list" -d 'List images'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "pull" -d 'Pull an image from a registry'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "push" -d 'Upload an image to a registry'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "rm" -d 'Remove one or more images'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "remove" -d 'Remove one or more images'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "inspect" -d 'Display detailed information on one or more images'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "history" -d 'Show the history of an image'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "save" -d 'Save one or more images to a tar archive'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "import" -d 'Import the contents from a tarball to create a filesystem image'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "load" -d 'Load an image from a tar archive or STDIN'
complete -c skiff -n "__fish_skiff_using_subcommand image; and not __fish_seen_subcommand_from build ls list pull push tag rm remove inspect history save import load prune" -f -a "prune" -d 'Remove unused images'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l build-arg -d 'Set build-time variables' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -s f -l file -d 'Name of the Dockerfile (default: "PATH/Dockerfile")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l iidfile -d 'Write the image ID to the file' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l label -d 'Set metadata for an image' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -s o -l output -d 'Output destination (format: "type=local,dest=path" or "type=tar,dest=file")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l network -d 'Set the networking mode for the RUN instructions during build' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l no-cache -d 'Do not use cache when building the image' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l progress -d 'Set type of progress output ("auto", "plain", "tty", "quiet")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l pull -d 'Always attempt to pull a newer version of the image' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -s q -l quiet -d 'Suppress the build output and print image ID on success' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -s t -l tag -d 'Name and optionally a tag in the "name:tag" format' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l secret -d 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l target -d 'Set the target build stage to build' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l platform -d 'Set target platform for build (the host\'s only)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from build" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all images (default hides intermediate images)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -l digests -d 'Show digests' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output based on conditions provided (dangling=, reference=, label=, before=, since=)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only show image IDs' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -l noheading -d 'Do not print the table\'s header (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -l sort -d 'Sort by created, id, repository, size or tag (podman)' -r -f -a "created\t''
id\t''
repository\t''
size\t''
tag\t''"
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all images (default hides intermediate images)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -l digests -d 'Show digests' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output based on conditions provided (dangling=, reference=, label=, before=, since=)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only show image IDs' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -l noheading -d 'Do not print the table\'s header (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -l sort -d 'Sort by created, id, repository, size or tag (podman)' -r -f -a "created\t''
id\t''
repository\t''
size\t''
tag\t''"
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from pull" -s q -l quiet -d 'Suppress verbose output; print only the image ID' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from pull" -l platform -d 'Pull for this platform (os/arch[/variant]) instead of the host\'s' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from pull" -l tls-verify -d 'Require HTTPS and verify certificates (default: true, except for localhost/127.0.0.0/8)' -r -f -a "true\t''
false\t''"
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from pull" -l creds -d 'Credentials USERNAME[:PASSWORD] for the registry' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from pull" -l disable-content-trust -d 'Skip image verification (accepted for docker compatibility)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from pull" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from pull" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from pull" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from pull" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from pull" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from pull" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from push" -s a -l all-tags -d 'Push all tags of an image to the repository' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from push" -l disable-content-trust -d 'Skip image signing (accepted for docker compatibility)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from push" -s q -l quiet -d 'Suppress verbose output' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from push" -l tls-verify -d 'Require HTTPS and verify certificates (default: true, except for localhost/127.0.0.0/8)' -r -f -a "true\t''
false\t''"
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from push" -l creds -d 'Credentials USERNAME[:PASSWORD] for the registry' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from push" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from push" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from push" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from push" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from push" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from tag" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from tag" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from tag" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from tag" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from tag" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from tag" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from rm" -s a -l all -d 'Remove all images (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force removal of the image (also when it has several tags)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from rm" -l no-prune -d 'Do not delete untagged parents (accepted for docker compatibility)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from rm" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from rm" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from rm" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from rm" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from remove" -s a -l all -d 'Remove all images (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from remove" -s f -l force -d 'Force removal of the image (also when it has several tags)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from remove" -l no-prune -d 'Do not delete untagged parents (accepted for docker compatibility)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from remove" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from remove" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from remove" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from remove" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from remove" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a custom template: \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from inspect" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from inspect" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from inspect" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from inspect" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from history" -s H -l human -d 'Print sizes and dates in human readable format' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from history" -l no-trunc -d 'Don\'t truncate output' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Only show image IDs' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from history" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from history" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from history" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from history" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from history" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from history" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from save" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from save" -l format -d 'Archive format: docker-archive or oci-archive, one and the same archive (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from save" -s m -l multi-image-archive -d 'Save several images into one archive, as always (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from save" -l uncompressed -d 'Keep layers uncompressed, as always (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from save" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from save" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from save" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from save" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from save" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from save" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from import" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from import" -s m -l message -d 'Set commit message for imported image' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from import" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from import" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from import" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from import" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from import" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from import" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from load" -s i -l input -d 'Read from tar archive file, instead of STDIN' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from load" -s q -l quiet -d 'Suppress the load output' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from load" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from load" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from load" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from load" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from load" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from load" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused images, not just dangling ones' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (label=..., before=..., since=...)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from prune" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from prune" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from prune" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from prune" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand image; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -f -a "connect" -d 'Connect a container to a network'
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -f -a "disconnect" -d 'Disconnect a container from a network'
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -f -a "create" -d 'Create a network'
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -f -a "ls" -d 'List networks'
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -f -a "list" -d 'List networks'
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -f -a "prune" -d 'Remove all unused networks'
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -f -a "rm" -d 'Remove one or more networks'
complete -c skiff -n "__fish_skiff_using_subcommand network; and not __fish_seen_subcommand_from connect disconnect create inspect ls list prune rm remove" -f -a "remove" -d 'Remove one or more networks'
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from connect" -l alias -d 'Add network-scoped alias for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from connect" -l ip -d 'IPv4 address (e.g., 172.30.100.104)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from connect" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from connect" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from connect" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from connect" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from connect" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from connect" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s f -l force -d 'Force the container to disconnect from a network (accepted)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from create" -s d -l driver -d 'Driver to manage the Network (bridge or macvlan)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from create" -l subnet -d 'Subnet in CIDR format that represents a network segment' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from create" -l ip-range -d 'Allocate container ip from a sub-range' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from create" -l gateway -d 'IPv4 Gateway for the master subnet' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from create" -l internal -d 'Restrict external access to the network' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from create" -s o -l opt -d 'Set driver specific options' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from create" -l label -d 'Set metadata on a network' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from create" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from create" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from create" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from create" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from create" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a custom template: \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from inspect" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from inspect" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from inspect" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from inspect" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Provide filter values (e.g. "driver=bridge")' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Do not truncate the output' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display network IDs' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from ls" -l noheading -d 'Do not print the table\'s header (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from ls" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from ls" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from ls" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from ls" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from list" -s f -l filter -d 'Provide filter values (e.g. "driver=bridge")' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from list" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from list" -l no-trunc -d 'Do not truncate the output' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display network IDs' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from list" -l noheading -d 'Do not print the table\'s header (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from list" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from list" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from list" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from list" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (e.g. "until=<timestamp>")' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from prune" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from prune" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from prune" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from prune" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from rm" -s f -l force -d 'Also remove the containers on the network (as podman does); a missing network is not an error (as docker does)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from rm" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from rm" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from rm" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from rm" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from remove" -s f -l force -d 'Also remove the containers on the network (as podman does); a missing network is not an error (as docker does)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from remove" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from remove" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from remove" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from remove" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from remove" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand network; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand system; and not __fish_seen_subcommand_from info check" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand system; and not __fish_seen_subcommand_from info check" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand system; and not __fish_seen_subcommand_from info check" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand system; and not __fish_seen_subcommand_from info check" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand system; and not __fish_seen_subcommand_from info check" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand system; and not __fish_seen_subcommand_from info check" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand system; and not __fish_seen_subcommand_from info check" -f -a "info" -d 'Display system-wide information'
complete -c skiff -n "__fish_skiff_using_subcommand system; and not __fish_seen_subcommand_from info check" -f -a "check" -d 'Check the store for problems (and repair them with --repair)'
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from info" -s f -l format -d 'Format output using a custom template: \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from info" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from info" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from info" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from info" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from info" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from check" -s r -l repair -d 'Fix what can be fixed safely (leftovers of killed commands)' -r
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from check" -l min-age-ms -d 'Treat unlocked leftovers younger than this many milliseconds as a command still at work (default 10000)' -r
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from check" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from check" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from check" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from check" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from check" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand system; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and not __fish_seen_subcommand_from create inspect ls list prune rm remove" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and not __fish_seen_subcommand_from create inspect ls list prune rm remove" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and not __fish_seen_subcommand_from create inspect ls list prune rm remove" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and not __fish_seen_subcommand_from create inspect ls list prune rm remove" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and not __fish_seen_subcommand_from create inspect ls list prune rm remove" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and not __fish_seen_subcommand_from create inspect ls list prune rm remove" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and not __fish_seen_subcommand_from create inspect ls list prune rm remove" -f -a "create" -d 'Create a volume'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and not __fish_seen_subcommand_from create inspect ls list prune rm remove" -f -a "inspect" -d 'Display detailed information on one or more volumes'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and not __fish_seen_subcommand_from create inspect ls list prune rm remove" -f -a "ls" -d 'List volumes'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and not __fish_seen_subcommand_from create inspect ls list prune rm remove" -f -a "list" -d 'List volumes'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and not __fish_seen_subcommand_from create inspect ls list prune rm remove" -f -a "prune" -d 'Remove unused local volumes'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and not __fish_seen_subcommand_from create inspect ls list prune rm remove" -f -a "rm" -d 'Remove one or more volumes'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and not __fish_seen_subcommand_from create inspect ls list prune rm remove" -f -a "remove" -d 'Remove one or more volumes'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from create" -s d -l driver -d 'Specify volume driver name' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from create" -l label -d 'Set metadata for a volume' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from create" -s o -l opt -d 'Set driver specific options' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from create" -l name -d 'Specify volume name' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from create" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from create" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from create" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from create" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from create" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a custom template: \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Provide filter values (e.g. "dangling=true")' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display volume names' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from ls" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from ls" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from ls" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from ls" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from list" -s f -l filter -d 'Provide filter values (e.g. "dangling=true")' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from list" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display volume names' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from list" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from list" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from list" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from list" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused volumes, not just anonymous ones' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (e.g. "label=<label>")' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from prune" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from prune" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from prune" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from prune" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force the removal of one or more volumes' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from rm" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from rm" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from rm" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from rm" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from remove" -s f -l force -d 'Force the removal of one or more volumes' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from remove" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from remove" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from remove" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from remove" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from remove" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand volume; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand run" -s d -l detach -d 'Run container in background and print container ID' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l sig-proxy -d 'Proxy received signals to the process' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l name -d 'Assign a name to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l replace -d 'Remove a container of the same name first (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -s e -l env -d 'Set environment variables' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -s l -l label -d 'Set meta data on a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -s h -l hostname -d 'Container host name' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -s i -l interactive -d 'Keep STDIN open even if not attached' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -s t -l tty -d 'Allocate a pseudo-TTY' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l rm -d 'Automatically remove the container and its associated anonymous volumes when it exits' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l init -d 'Run an init inside the container that forwards signals and reaps processes' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l restart -d 'Restart policy to apply when a container exits' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l stop-signal -d 'Signal to stop the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l log-driver -d 'Logging driver for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l log-opt -d 'Log driver options' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l network -l net -d 'Connect a container to a network' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -s p -l publish -d 'Publish a container\'s port(s) to the host' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -s P -l publish-all -d 'Publish all exposed ports to random ports' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l expose -d 'Expose a port or a range of ports' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l ip -d 'IPv4 address (e.g., 172.30.100.104)' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l mac-address -d 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l network-alias -l net-alias -d 'Add network-scoped alias for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l dns -d 'Set custom DNS servers' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l dns-search -d 'Set custom DNS search domains' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l dns-option -l dns-opt -d 'Set DNS options' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l link -d 'Add link to another container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -s m -l memory -d 'Memory limit' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l cpus -d 'Number of CPUs' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l pids-limit -d 'Tune container pids limit (set -1 for unlimited)' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l shm-size -d 'Size of /dev/shm' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l ulimit -d 'Ulimit options' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l cgroup-parent -d 'Optional parent cgroup for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l kernel-memory -d 'Kernel memory limit (deprecated and ignored, as in docker)' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l privileged -d 'Give extended privileges to this container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l device -d 'Add a host device to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l device-cgroup-rule -d 'Add a rule to the cgroup allowed devices list' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l cap-add -d 'Add Linux capabilities' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l security-opt -d 'Security Options' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l read-only -d 'Mount the container\'s root filesystem as read only' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l pid -d 'PID namespace to use' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l ipc -d 'IPC mode to use' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l uts -d 'UTS namespace to use' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l userns -d 'User namespace to use (host; keep-id: rootless, your own uid inside, as podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -s v -l volume -d 'Bind mount a volume' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l mount -d 'Attach a filesystem mount to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l tmpfs -d 'Mount a tmpfs directory' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l volumes-from -d 'Mount volumes from the specified container(s)' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l storage-opt -d 'Storage driver options for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l pull -d 'Pull image before running ("always", "missing", "never")' -r -f -a "missing\t''
always\t''
never\t''"
complete -c skiff -n "__fish_skiff_using_subcommand run" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand run" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand run" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand run" -l help -d 'Print help (-h is --hostname, as in docker)'
complete -c skiff -n "__fish_skiff_using_subcommand build" -l build-arg -d 'Set build-time variables' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -s f -l file -d 'Name of the Dockerfile (default: "PATH/Dockerfile")' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -l iidfile -d 'Write the image ID to the file' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand build" -l label -d 'Set metadata for an image' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -s o -l output -d 'Output destination (format: "type=local,dest=path" or "type=tar,dest=file")' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -l network -d 'Set the networking mode for the RUN instructions during build' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -l no-cache -d 'Do not use cache when building the image' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -l progress -d 'Set type of progress output ("auto", "plain", "tty", "quiet")' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -l pull -d 'Always attempt to pull a newer version of the image' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -s q -l quiet -d 'Suppress the build output and print image ID on success' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -s t -l tag -d 'Name and optionally a tag in the "name:tag" format' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -l secret -d 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -l target -d 'Set the target build stage to build' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -l platform -d 'Set target platform for build (the host\'s only)' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand build" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand build" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand build" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand builder; and not __fish_seen_subcommand_from build prune" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand builder; and not __fish_seen_subcommand_from build prune" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand builder; and not __fish_seen_subcommand_from build prune" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and not __fish_seen_subcommand_from build prune" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and not __fish_seen_subcommand_from build prune" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and not __fish_seen_subcommand_from build prune" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand builder; and not __fish_seen_subcommand_from build prune" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c skiff -n "__fish_skiff_using_subcommand builder; and not __fish_seen_subcommand_from build prune" -f -a "prune" -d 'Remove build cache'
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l build-arg -d 'Set build-time variables' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -s f -l file -d 'Name of the Dockerfile (default: "PATH/Dockerfile")' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l iidfile -d 'Write the image ID to the file' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l label -d 'Set metadata for an image' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -s o -l output -d 'Output destination (format: "type=local,dest=path" or "type=tar,dest=file")' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l network -d 'Set the networking mode for the RUN instructions during build' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l no-cache -d 'Do not use cache when building the image' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l progress -d 'Set type of progress output ("auto", "plain", "tty", "quiet")' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l pull -d 'Always attempt to pull a newer version of the image' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -s q -l quiet -d 'Suppress the build output and print image ID on success' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -s t -l tag -d 'Name and optionally a tag in the "name:tag" format' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l secret -d 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l target -d 'Set the target build stage to build' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l platform -d 'Set target platform for build (the host\'s only)' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from build" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused build cache, not just dangling ones' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from prune" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from prune" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from prune" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from prune" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand builder; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand create" -l name -d 'Assign a name to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l replace -d 'Remove a container of the same name first (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -s e -l env -d 'Set environment variables' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -s l -l label -d 'Set meta data on a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -s h -l hostname -d 'Container host name' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -s i -l interactive -d 'Keep STDIN open even if not attached' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -s t -l tty -d 'Allocate a pseudo-TTY' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l rm -d 'Automatically remove the container and its associated anonymous volumes when it exits' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l init -d 'Run an init inside the container that forwards signals and reaps processes' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l restart -d 'Restart policy to apply when a container exits' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l stop-signal -d 'Signal to stop the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l log-driver -d 'Logging driver for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l log-opt -d 'Log driver options' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l network -l net -d 'Connect a container to a network' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -s p -l publish -d 'Publish a container\'s port(s) to the host' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -s P -l publish-all -d 'Publish all exposed ports to random ports' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l expose -d 'Expose a port or a range of ports' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l ip -d 'IPv4 address (e.g., 172.30.100.104)' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l mac-address -d 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l network-alias -l net-alias -d 'Add network-scoped alias for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l dns -d 'Set custom DNS servers' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l dns-search -d 'Set custom DNS search domains' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l dns-option -l dns-opt -d 'Set DNS options' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l add-host -d 'Add a custom host-to-IP mapping (host:ip)' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l link -d 'Add link to another container' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -s m -l memory -d 'Memory limit' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l cpus -d 'Number of CPUs' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l pids-limit -d 'Tune container pids limit (set -1 for unlimited)' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l shm-size -d 'Size of /dev/shm' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l ulimit -d 'Ulimit options' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l cgroup-parent -d 'Optional parent cgroup for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l kernel-memory -d 'Kernel memory limit (deprecated and ignored, as in docker)' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l privileged -d 'Give extended privileges to this container' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l device -d 'Add a host device to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l device-cgroup-rule -d 'Add a rule to the cgroup allowed devices list' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l cap-add -d 'Add Linux capabilities' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l security-opt -d 'Security Options' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l read-only -d 'Mount the container\'s root filesystem as read only' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l pid -d 'PID namespace to use' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l ipc -d 'IPC mode to use' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l uts -d 'UTS namespace to use' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l userns -d 'User namespace to use (host; keep-id: rootless, your own uid inside, as podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -s v -l volume -d 'Bind mount a volume' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l mount -d 'Attach a filesystem mount to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l tmpfs -d 'Mount a tmpfs directory' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l volumes-from -d 'Mount volumes from the specified container(s)' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l storage-opt -d 'Storage driver options for the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l pull -d 'Pull image before running ("always", "missing", "never")' -r -f -a "missing\t''
always\t''
never\t''"
complete -c skiff -n "__fish_skiff_using_subcommand create" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand create" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand create" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand create" -l help -d 'Print help (-h is --hostname, as in docker)'
complete -c skiff -n "__fish_skiff_using_subcommand start" -l all -d 'Start all containers that are not running (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand start" -s f -l filter -d 'Only the containers matching a filter, as ps\'s (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand start" -s a -l attach -d 'Attach STDOUT/STDERR and forward signals' -r
complete -c skiff -n "__fish_skiff_using_subcommand start" -s i -l interactive -d 'Attach container\'s STDIN' -r
complete -c skiff -n "__fish_skiff_using_subcommand start" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand start" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand start" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand start" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand start" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand start" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand start" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand stop" -s a -l all -d 'Act on all containers (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand stop" -s f -l filter -d 'Act on the containers matching a filter, as ps\'s (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand stop" -s l -l latest -d 'Act on the latest created container (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand stop" -s i -l ignore -d 'Ignore errors when a named container does not exist (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand stop" -s t -l timeout -d 'Seconds to wait before killing the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand stop" -l time -d 'Seconds to wait before killing the container (deprecated: --timeout)' -r
complete -c skiff -n "__fish_skiff_using_subcommand stop" -s s -l signal -d 'Signal to send to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand stop" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand stop" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand stop" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand stop" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand stop" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand stop" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand restart" -s a -l all -d 'Act on all containers (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand restart" -s f -l filter -d 'Act on the containers matching a filter, as ps\'s (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand restart" -s l -l latest -d 'Act on the latest created container (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand restart" -s i -l ignore -d 'Ignore errors when a named container does not exist (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand restart" -s t -l timeout -d 'Seconds to wait before killing the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand restart" -l time -d 'Seconds to wait before killing the container (deprecated: --timeout)' -r
complete -c skiff -n "__fish_skiff_using_subcommand restart" -s s -l signal -d 'Signal to send to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand restart" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand restart" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand restart" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand restart" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand restart" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand restart" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand kill" -s a -l all -d 'Act on all containers (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand kill" -s f -l filter -d 'Act on the containers matching a filter, as ps\'s (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand kill" -s l -l latest -d 'Act on the latest created container (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand kill" -s i -l ignore -d 'Ignore errors when a named container does not exist (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand kill" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand kill" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand kill" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand kill" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand kill" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand kill" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand wait" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand wait" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand wait" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand wait" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand wait" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand wait" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand logs" -s f -l follow -d 'Follow log output' -r
complete -c skiff -n "__fish_skiff_using_subcommand logs" -s n -l tail -d 'Number of lines to show from the end of the logs ("all" for all)' -r
complete -c skiff -n "__fish_skiff_using_subcommand logs" -s t -l timestamps -d 'Show timestamps' -r
complete -c skiff -n "__fish_skiff_using_subcommand logs" -l since -d 'Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)' -r
complete -c skiff -n "__fish_skiff_using_subcommand logs" -l until -d 'Show logs before a timestamp or relative time' -r
complete -c skiff -n "__fish_skiff_using_subcommand logs" -l details -d 'Show extra details (accepted)' -r
complete -c skiff -n "__fish_skiff_using_subcommand logs" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand logs" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand logs" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand logs" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand logs" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand logs" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand attach" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c skiff -n "__fish_skiff_using_subcommand attach" -l no-stdin -d 'Do not attach STDIN' -r
complete -c skiff -n "__fish_skiff_using_subcommand attach" -l sig-proxy -d 'Proxy all received signals to the process' -r
complete -c skiff -n "__fish_skiff_using_subcommand attach" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand attach" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand attach" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand attach" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand attach" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand attach" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand exec" -s d -l detach -d 'Detached mode: run command in the background' -r
complete -c skiff -n "__fish_skiff_using_subcommand exec" -s i -l interactive -d 'Keep STDIN open even if not attached' -r
complete -c skiff -n "__fish_skiff_using_subcommand exec" -s t -l tty -d 'Allocate a pseudo-TTY' -r
complete -c skiff -n "__fish_skiff_using_subcommand exec" -s e -l env -d 'Set environment variables' -r
complete -c skiff -n "__fish_skiff_using_subcommand exec" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c skiff -n "__fish_skiff_using_subcommand exec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand exec" -l privileged -d 'Give extended privileges to the command' -r
complete -c skiff -n "__fish_skiff_using_subcommand exec" -l detach-keys -d 'Override the key sequence for detaching (accepted)' -r
complete -c skiff -n "__fish_skiff_using_subcommand exec" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand exec" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand exec" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand exec" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand exec" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand exec" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand pause" -s a -l all -d 'Act on all containers (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand pause" -s f -l filter -d 'Act on the containers matching a filter, as ps\'s (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand pause" -s l -l latest -d 'Act on the latest created container (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand pause" -s i -l ignore -d 'Ignore errors when a named container does not exist (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand pause" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand pause" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand pause" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand pause" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand pause" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand pause" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand unpause" -s a -l all -d 'Act on all containers (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand unpause" -s f -l filter -d 'Act on the containers matching a filter, as ps\'s (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand unpause" -s l -l latest -d 'Act on the latest created container (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand unpause" -s i -l ignore -d 'Ignore errors when a named container does not exist (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand unpause" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand unpause" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand unpause" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand unpause" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand unpause" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand unpause" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand cp" -s a -l archive -d 'Archive mode (copy all uid/gid information)' -r
complete -c skiff -n "__fish_skiff_using_subcommand cp" -s L -l follow-link -d 'Always follow symbol link in SRC_PATH' -r
complete -c skiff -n "__fish_skiff_using_subcommand cp" -s q -l quiet -d 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached' -r
complete -c skiff -n "__fish_skiff_using_subcommand cp" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand cp" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand cp" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand cp" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand cp" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand cp" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand diff" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand diff" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand diff" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand diff" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand diff" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand diff" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand commit" -s a -l author -d 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' -r
complete -c skiff -n "__fish_skiff_using_subcommand commit" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c skiff -n "__fish_skiff_using_subcommand commit" -s m -l message -d 'Commit message' -r
complete -c skiff -n "__fish_skiff_using_subcommand commit" -s p -l pause -d 'Pause container during commit' -r
complete -c skiff -n "__fish_skiff_using_subcommand commit" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand commit" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand commit" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand commit" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand commit" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand commit" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand export" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand export" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand export" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand export" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand export" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand export" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand export" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand rename" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand rename" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand rename" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand rename" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand rename" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand rename" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand top" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand top" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand top" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand top" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand top" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand top" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand port" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand port" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand port" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand port" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand port" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand port" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand ps" -l external -d 'Also show containers made by other tools (podman; skiff has none)' -r
complete -c skiff -n "__fish_skiff_using_subcommand ps" -s a -l all -d 'Show all containers (default shows just running)' -r
complete -c skiff -n "__fish_skiff_using_subcommand ps" -s f -l filter -d 'Filter output based on conditions provided' -r
complete -c skiff -n "__fish_skiff_using_subcommand ps" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand ps" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c skiff -n "__fish_skiff_using_subcommand ps" -s l -l latest -d 'Show the latest created container (includes all states)' -r
complete -c skiff -n "__fish_skiff_using_subcommand ps" -l no-trunc -d 'Don\'t truncate output' -r
complete -c skiff -n "__fish_skiff_using_subcommand ps" -s q -l quiet -d 'Only display container IDs' -r
complete -c skiff -n "__fish_skiff_using_subcommand ps" -l sort -d 'Sort by command, created, id, image, names, runningfor, size or status, ascending (podman)' -r -f -a "command\t''
created\t''
id\t''
image\t''
names\t''
runningfor\t''
size\t''
status\t''"
complete -c skiff -n "__fish_skiff_using_subcommand ps" -l noheading -d 'Do not print the table\'s header (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand ps" -s s -l size -d 'Display total file sizes' -r
complete -c skiff -n "__fish_skiff_using_subcommand ps" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand ps" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand ps" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand ps" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand ps" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand ps" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand rm" -s a -l all -d 'Remove all containers (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand rm" -s i -l ignore -d 'Ignore errors when a named container does not exist (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand rm" -s t -l time -d 'Seconds to wait for a running container to stop before killing it (podman; with --force)' -r
complete -c skiff -n "__fish_skiff_using_subcommand rm" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)' -r
complete -c skiff -n "__fish_skiff_using_subcommand rm" -s v -l volumes -d 'Remove anonymous volumes associated with the container' -r
complete -c skiff -n "__fish_skiff_using_subcommand rm" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand rm" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand rm" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand rm" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand rm" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand rm" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand images" -s a -l all -d 'Show all images (default hides intermediate images)' -r
complete -c skiff -n "__fish_skiff_using_subcommand images" -l digests -d 'Show digests' -r
complete -c skiff -n "__fish_skiff_using_subcommand images" -s f -l filter -d 'Filter output based on conditions provided (dangling=, reference=, label=, before=, since=)' -r
complete -c skiff -n "__fish_skiff_using_subcommand images" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand images" -l no-trunc -d 'Don\'t truncate output' -r
complete -c skiff -n "__fish_skiff_using_subcommand images" -s q -l quiet -d 'Only show image IDs' -r
complete -c skiff -n "__fish_skiff_using_subcommand images" -l noheading -d 'Do not print the table\'s header (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand images" -l sort -d 'Sort by created, id, repository, size or tag (podman)' -r -f -a "created\t''
id\t''
repository\t''
size\t''
tag\t''"
complete -c skiff -n "__fish_skiff_using_subcommand images" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand images" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand images" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand images" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand images" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand images" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand pull" -s q -l quiet -d 'Suppress verbose output; print only the image ID' -r
complete -c skiff -n "__fish_skiff_using_subcommand pull" -l platform -d 'Pull for this platform (os/arch[/variant]) instead of the host\'s' -r
complete -c skiff -n "__fish_skiff_using_subcommand pull" -l tls-verify -d 'Require HTTPS and verify certificates (default: true, except for localhost/127.0.0.0/8)' -r -f -a "true\t''
false\t''"
complete -c skiff -n "__fish_skiff_using_subcommand pull" -l creds -d 'Credentials USERNAME[:PASSWORD] for the registry' -r
complete -c skiff -n "__fish_skiff_using_subcommand pull" -l disable-content-trust -d 'Skip image verification (accepted for docker compatibility)' -r
complete -c skiff -n "__fish_skiff_using_subcommand pull" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand pull" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand pull" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand pull" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand pull" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand pull" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand push" -s a -l all-tags -d 'Push all tags of an image to the repository' -r
complete -c skiff -n "__fish_skiff_using_subcommand push" -l disable-content-trust -d 'Skip image signing (accepted for docker compatibility)' -r
complete -c skiff -n "__fish_skiff_using_subcommand push" -s q -l quiet -d 'Suppress verbose output' -r
complete -c skiff -n "__fish_skiff_using_subcommand push" -l tls-verify -d 'Require HTTPS and verify certificates (default: true, except for localhost/127.0.0.0/8)' -r -f -a "true\t''
false\t''"
complete -c skiff -n "__fish_skiff_using_subcommand push" -l creds -d 'Credentials USERNAME[:PASSWORD] for the registry' -r
complete -c skiff -n "__fish_skiff_using_subcommand push" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand push" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand push" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand push" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand push" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand push" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand login" -s p -l password -d 'Password' -r
complete -c skiff -n "__fish_skiff_using_subcommand login" -l password-stdin -d 'Take the password from stdin' -r
complete -c skiff -n "__fish_skiff_using_subcommand login" -s u -l username -d 'Username' -r
complete -c skiff -n "__fish_skiff_using_subcommand login" -l tls-verify -d 'Require HTTPS and verify certificates (default: true, except for localhost/127.0.0.0/8)' -r -f -a "true\t''
false\t''"
complete -c skiff -n "__fish_skiff_using_subcommand login" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand login" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand login" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand login" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand login" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand login" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand logout" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand logout" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand logout" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand logout" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand logout" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand logout" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand search" -s f -l filter -d 'Filter output based on conditions provided' -r
complete -c skiff -n "__fish_skiff_using_subcommand search" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand search" -l limit -d 'Max number of search results' -r
complete -c skiff -n "__fish_skiff_using_subcommand search" -l no-trunc -d 'Don\'t truncate output' -r
complete -c skiff -n "__fish_skiff_using_subcommand search" -l tls-verify -d 'Require HTTPS and verify certificates (default: true, except for localhost/127.0.0.0/8)' -r -f -a "true\t''
false\t''"
complete -c skiff -n "__fish_skiff_using_subcommand search" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand search" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand search" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand search" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand search" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand search" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand tag" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand tag" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand tag" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand tag" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand tag" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand tag" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand rmi" -s a -l all -d 'Remove all images (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand rmi" -s f -l force -d 'Force removal of the image (also when it has several tags)' -r
complete -c skiff -n "__fish_skiff_using_subcommand rmi" -l no-prune -d 'Do not delete untagged parents (accepted for docker compatibility)' -r
complete -c skiff -n "__fish_skiff_using_subcommand rmi" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand rmi" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand rmi" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand rmi" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand rmi" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand rmi" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand history" -s H -l human -d 'Print sizes and dates in human readable format' -r
complete -c skiff -n "__fish_skiff_using_subcommand history" -l no-trunc -d 'Don\'t truncate output' -r
complete -c skiff -n "__fish_skiff_using_subcommand history" -s q -l quiet -d 'Only show image IDs' -r
complete -c skiff -n "__fish_skiff_using_subcommand history" -l format -d 'Format output using a custom template: \'table\':            Print output in table format with column headers (default) \'table TEMPLATE\':   Print output in table format using the given Go template \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand history" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand history" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand history" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand history" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand history" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand history" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand save" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand save" -l format -d 'Archive format: docker-archive or oci-archive, one and the same archive (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand save" -s m -l multi-image-archive -d 'Save several images into one archive, as always (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand save" -l uncompressed -d 'Keep layers uncompressed, as always (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand save" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand save" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand save" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand save" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand save" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand save" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand import" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c skiff -n "__fish_skiff_using_subcommand import" -s m -l message -d 'Set commit message for imported image' -r
complete -c skiff -n "__fish_skiff_using_subcommand import" -l platform -d 'Set platform if server is multi-platform capable' -r
complete -c skiff -n "__fish_skiff_using_subcommand import" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand import" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand import" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand import" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand import" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand import" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand load" -s i -l input -d 'Read from tar archive file, instead of STDIN' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand load" -s q -l quiet -d 'Suppress the load output' -r
complete -c skiff -n "__fish_skiff_using_subcommand load" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand load" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand load" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand load" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand load" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand load" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand inspect" -s f -l format -d 'Format output using a custom template: \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand inspect" -l type -d 'Only this type of object: container, image, network, volume' -r
complete -c skiff -n "__fish_skiff_using_subcommand inspect" -s s -l size -d 'Display total file sizes (accepted; sizes are always shown for images)' -r
complete -c skiff -n "__fish_skiff_using_subcommand inspect" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand inspect" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand inspect" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand inspect" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand inspect" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand version" -s f -l format -d 'Format output using a custom template: \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand version" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand version" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand version" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand version" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand version" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand version" -s h -l help -d 'Print help'
complete -c skiff -n "__fish_skiff_using_subcommand info" -s f -l format -d 'Format output using a custom template: \'json\':             Print in JSON format \'TEMPLATE\':         Print output using the given Go template. Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates' -r
complete -c skiff -n "__fish_skiff_using_subcommand info" -l root -d 'Persistent storage root (default /var/lib/skiff; rootless $XDG_DATA_HOME/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand info" -l runroot -d 'Runtime state root (default /run/skiff; rootless $XDG_RUNTIME_DIR/skiff)' -r -F
complete -c skiff -n "__fish_skiff_using_subcommand info" -l log-level -d 'Set the logging level ("debug", "info", "warn", "error", "fatal")' -r
complete -c skiff -n "__fish_skiff_using_subcommand info" -l noout -d 'Do not print to stdout (podman)' -r
complete -c skiff -n "__fish_skiff_using_subcommand info" -l storage-driver -d 'Storage driver: overlay or vfs (default: the store\'s; a new store takes overlay where it can be mounted, else vfs)' -r
complete -c skiff -n "__fish_skiff_using_subcommand info" -s h -l help -d 'Print help'
