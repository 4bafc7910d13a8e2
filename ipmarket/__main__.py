from ipmarket.cli import main

main()
