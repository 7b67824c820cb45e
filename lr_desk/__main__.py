from lr_desk.app import main

raise SystemExit(main())
