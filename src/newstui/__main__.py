from newstui.cli import main

raise SystemExit(main())
