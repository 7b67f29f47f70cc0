# bash completion for avmonctl
_avmonctl() {
    local cur prev cmd
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    local commands="status alarms show ack resolve close note maintenance reload backup devices check-config audit report fault-report test-rules"
    local global="--json --socket --config --help"
    if [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$commands --help" -- "$cur"))
        return
    fi
    cmd=${COMP_WORDS[1]}
    case $prev in
        --socket|--config|--store|--db|-o) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --severity) COMPREPLY=($(compgen -W "I II III IV" -- "$cur")); return ;;
        --state) COMPREPLY=($(compgen -W "open raised acknowledged resolved closed all" -- "$cur")); return ;;
        --weekly) COMPREPLY=($(compgen -W "mon tue wed thu fri sat sun" -- "$cur")); return ;;
        --start|--end) COMPREPLY=($(compgen -W "now" -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W "html text csv" -- "$cur")); return ;;
        --month) COMPREPLY=($(compgen -W "last" -- "$cur")); return ;;
    esac
    local opts=""
    case $cmd in
        alarms) opts="--room --severity --state --since" ;;
        ack) opts="--note" ;;
        resolve|close) opts="--cause --action" ;;
        note) opts="--note" ;;
        maintenance)
            if [[ $COMP_CWORD -eq 2 ]]; then
                COMPREPLY=($(compgen -W "add list remove" -- "$cur"))
                return
            fi
            opts="--device --room --site --start --end --duration --weekly --at --reason" ;;
        backup) opts="--store"; [[ $cur != -* ]] && { COMPREPLY=($(compgen -f -- "$cur")); return; } ;;
        devices) opts="--room" ;;
        check-config) [[ $cur != -* ]] && { COMPREPLY=($(compgen -f -- "$cur")); return; } ;;
        audit) opts="--since --limit --store" ;;
        report) opts="--month --site --room --format -o --db --mail --no-archive --now" ;;
        fault-report) opts="--format -o --db" ;;
        test-rules) opts="--timeline --journal --db"; [[ $cur != -* ]] && { COMPREPLY=($(compgen -f -- "$cur")); return; } ;;
    esac
    COMPREPLY=($(compgen -W "$opts $global" -- "$cur"))
}
complete -F _avmonctl avmonctl
