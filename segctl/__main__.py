from segctl.cli import main

raise SystemExit(main())
