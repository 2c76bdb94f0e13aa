from segctl.cli import main

main()
