from csperf.cli import main

main()
